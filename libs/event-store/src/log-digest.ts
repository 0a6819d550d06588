import { canonicalJson } from './canonical-json';
import { isStoredEvent, type RecordedOrStoredEvent } from './event-envelope';
import type { EventStore } from './event-store.port';
import { readStoredLogPages } from './log-pages';
import { eventHash, GENESIS_HASH, storedEventHash } from './seal';
import { sha256Hex } from './sha256';

/**
 * The log digest: one value to publish, which later proves the log up to a cut unchanged: every event's
 * content, its place in the global order and its recorded time (what `knownAt` reports depend on).
 *
 * Version 2, for the n-th event of the global order (n = 1, 2, 3, ...: the ledger's own dense numbering,
 * which survives a move to another store, unlike positions; EventStoreDB's are byte offsets with gaps):
 *
 *   recordedAt_n = max(recordedAt_{n-1}, the event's stored recordedAt)   (ISO 8601 strings; '' for n = 0)
 *   h_n          = eventHash(event), recomputed from the content (not the stored `metadata.hash`)
 *   digest_0     = 64 zeros
 *   digest_n     = sha256(canonicalJson({ digest: digest_{n-1}, hash: h_n, recordedAt: recordedAt_n,
 *                                         sequence: String(n) }))   (lowercase hex)
 *
 * The running maximum changes nothing on SQLite and PostgreSQL, which never record time running backwards;
 * EventStoreDB's server clock may step back, and every reader of the ledger clamps it the same way.
 *
 * Version 1, for digests published before version 2: digest_n = sha256(digest_{n-1} + h_n) over the hex
 * strings; it covers content and order, not recorded time.
 */

/** 2: content, sequence and recorded time; 1: content and order, for digests published before version 2. */
export type DigestVersion = 1 | 2;

/** The version every digest function uses unless told otherwise. */
export const DIGEST_VERSION = 2 satisfies DigestVersion;

/** What one event adds to the digest: its content hash, its sequence and its clamped recorded time. */
export interface LogDigestStep {
  hash: string;
  sequence: bigint;
  /** the running maximum of recorded times through this event (`clampRecordedAt`) */
  recordedAt: string;
}

/** Version 1's step, `sha256(previous + hash)`: kept so that digests published before version 2 verify. */
export const nextDigest = (previous: string, hash: string): string => sha256Hex(previous + hash);

/** One step of the log digest: digest_n from digest_{n-1}. Pure; version 1 reads only `hash`. */
export function nextLogDigest(
  previous: string,
  step: LogDigestStep,
  version: DigestVersion = DIGEST_VERSION,
): string {
  if (version === 1) return nextDigest(previous, step.hash);
  const { hash, recordedAt } = step;
  const sequence = step.sequence.toString();
  // The canonical JSON written out directly: keys in sorted order, every value a string, so it is exactly
  // what canonicalJson gives (and JSON.stringify quotes a string as canonicalJson does), without walking an
  // object once per event. A caller outside the types (a hash that is no string) takes canonicalJson.
  if (typeof previous !== 'string' || typeof hash !== 'string' || typeof recordedAt !== 'string')
    return sha256Hex(canonicalJson({ digest: previous, hash, recordedAt, sequence }));
  return sha256Hex(
    `{"digest":${JSON.stringify(previous)},"hash":${JSON.stringify(hash)},` +
      `"recordedAt":${JSON.stringify(recordedAt)},"sequence":${JSON.stringify(sequence)}}`,
  );
}

/** The recorded time the digest covers: the running maximum along the log, compared as ISO strings. */
export const clampRecordedAt = (runningMax: string, recordedAt: string): string =>
  recordedAt > runningMax ? recordedAt : runningMax;

/**
 * The digest's state after some event: enough to go on from there without reading the log before it, so
 * that the digest at the head is a stored checkpoint plus the events after it.
 */
export interface DigestCheckpoint {
  /** global position of the last event folded in (0n before the first); the store's, for resuming */
  position: bigint;
  /** its ordinal in the global order: how many events the digest covers */
  sequence: bigint;
  /** the digest through it (version 2 unless a function says otherwise) */
  digest: string;
  /** the running maximum of recorded times through it; '' before the first event */
  recordedAt: string;
}

/** The checkpoint before the first event. */
export const GENESIS_CHECKPOINT: Readonly<DigestCheckpoint> = Object.freeze({
  position: 0n,
  sequence: 0n,
  digest: GENESIS_HASH,
  recordedAt: '',
});

/** What `nextDigestCheckpoint` may be given besides the event. */
export interface DigestStepOptions {
  /** the event's content hash when the caller has computed it already (default: `eventHash(event)`) */
  hash?: string;
  /** the version of `checkpoint.digest` (default DIGEST_VERSION) */
  version?: DigestVersion;
}

/**
 * Folds the next event of the global order into a checkpoint: counts the sequence, clamps the recorded time,
 * steps the digest. Pure. Its `sequence` and `digest` are the evidence a log line carries (`logEntryToJson`).
 */
export function nextDigestCheckpoint(
  checkpoint: DigestCheckpoint,
  event: RecordedOrStoredEvent,
  options: DigestStepOptions = {},
): DigestCheckpoint {
  const sequence = checkpoint.sequence + 1n;
  const recordedAt = clampRecordedAt(checkpoint.recordedAt, event.recordedAt);
  const hash = options.hash ?? (isStoredEvent(event) ? storedEventHash(event) : eventHash(event));
  return {
    position: event.position,
    sequence,
    recordedAt,
    digest: nextLogDigest(checkpoint.digest, { hash, sequence, recordedAt }, options.version),
  };
}

/** Where a digest ends: at a global position (inclusive), or after a number of events. One, not both. */
export interface DigestCut {
  /** every event at or before this global position; positions belong to one store */
  position?: bigint;
  /** the first `sequence` events of the global order; the same in every store the ledger moves to */
  sequence?: bigint;
}

/** A cut, the digest's version, and the checkpoint to start from. */
export interface LogDigestOptions extends DigestCut {
  /** default DIGEST_VERSION; 1 for digests published before version 2 */
  version?: DigestVersion;
  /** go on from this checkpoint (its digest of `version`) instead of the start of the log */
  from?: DigestCheckpoint;
}

/** `LogDigestOptions` and the page size of the walk over the store. */
export interface StoreDigestOptions extends LogDigestOptions {
  pageSize?: number;
}

/** A digest with where it ends: a checkpoint to go on from when `version` is 2. */
export interface LogDigest extends DigestCheckpoint {
  version: DigestVersion;
  /** how many events the digest covers (`sequence`), as GET /audit/digest has always answered it */
  events: number;
}

/** Folds events up to a cut; answers whether an event lies beyond it, so a walk knows when to stop. */
class DigestFold {
  private checkpoint: DigestCheckpoint;
  private readonly version: DigestVersion;

  constructor(private readonly options: LogDigestOptions) {
    if (options.position !== undefined && options.sequence !== undefined)
      throw new RangeError('cut the digest by position or by sequence, not both');
    this.version = options.version ?? DIGEST_VERSION;
    this.checkpoint = { ...(options.from ?? GENESIS_CHECKPOINT) };
    if (
      (options.position !== undefined && this.checkpoint.position > options.position) ||
      (options.sequence !== undefined && this.checkpoint.sequence > options.sequence)
    )
      throw new RangeError('the checkpoint lies beyond the cut');
  }

  get start(): bigint {
    return this.options.from?.position ?? 0n;
  }

  /** Whether the cut by sequence is reached: the next event is beyond it. */
  get complete(): boolean {
    return this.options.sequence !== undefined && this.checkpoint.sequence >= this.options.sequence;
  }

  /** Folds the event in; false, folding nothing, when it lies beyond the cut. */
  add(event: RecordedOrStoredEvent): boolean {
    if (this.complete || (this.options.position !== undefined && event.position > this.options.position))
      return false;
    this.checkpoint = nextDigestCheckpoint(this.checkpoint, event, { version: this.version });
    return true;
  }

  result(): LogDigest {
    return {
      ...this.checkpoint,
      // A cut between two events (a gap in EventStoreDB's positions) is still a place to resume from.
      position: this.options.position ?? this.checkpoint.position,
      version: this.version,
      events: Number(this.checkpoint.sequence),
    };
  }
}

/**
 * The log digest over events given in global order (from the start, or following `from`), up to a
 * position (a bigint, as before sequences existed) or a cut. Default: every event, version 2.
 */
export function logDigest(
  events: Iterable<RecordedOrStoredEvent>,
  cut: bigint | LogDigestOptions = {},
): string {
  const fold = new DigestFold(typeof cut === 'bigint' ? { position: cut } : cut);
  for (const event of events) if (!fold.add(event)) break;
  return fold.result().digest;
}

/**
 * The digest of a store's log up to a position (a bigint, as GET /audit/digest passes it) or a cut;
 * default: the head when the walk starts, version 2. With `from`, only the events after the checkpoint
 * are read. A cut by sequence beyond the log's end gives the digest of the whole log, whose `sequence`
 * then says where it ends.
 */
export async function storeDigest(
  store: EventStore,
  cut: bigint | StoreDigestOptions = {},
): Promise<LogDigest> {
  const options = typeof cut === 'bigint' ? { position: cut } : cut;
  const bounded =
    options.sequence === undefined
      ? { ...options, position: options.position ?? (await store.headPosition()) }
      : options;
  const fold = new DigestFold(bounded);
  const pages = readStoredLogPages(store, {
    fromPosition: fold.start,
    ...(bounded.position === undefined ? {} : { toPosition: bounded.position }),
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  });
  for await (const page of pages) {
    for (const event of page) if (!fold.add(event)) break;
    if (fold.complete) break;
  }
  return fold.result();
}
