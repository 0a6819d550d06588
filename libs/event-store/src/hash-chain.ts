import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { canonicalJson, withCanonicalKeyOrder } from './canonical-json';
import type { EventMetadata, EventToAppend, RecordedEvent } from './event-envelope';
import type { EventStore } from './event-store.port';

/**
 * Tamper evidence. Every event carries `metadata.prevHash` (the hash of the previous event of its stream,
 * or GENESIS_HASH at revision 0) and `metadata.hash`, the SHA-256 of the event's canonical JSON (RFC 8785)
 * without `hash` itself. The command handler seals events before the append, so the chain is the same on
 * every store adapter. Over the whole log, a digest folds the event hashes in global order: a value to
 * publish, which later proves the log up to that position unchanged.
 */

/** The `prevHash` of a stream's first event, and the digest of an empty log: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: everything the command handler decides; not the store's position and time. */
export interface HashedFields {
  streamId: string;
  revision: bigint;
  eventId: string;
  type: string;
  schemaVersion: number;
  effectiveAt: string;
  data: unknown;
  metadata: EventMetadata;
}

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The event's hash: SHA-256 (lowercase hex) of the UTF-8 bytes of
 * `canonicalJson({streamId, revision (decimal string), eventId, type, schemaVersion, effectiveAt, data,
 * metadata without hash, prevHash})`, with `prevHash` read from the metadata.
 */
export function eventHash(event: HashedFields): string {
  const { hash: _hash, ...metadata } = event.metadata;
  return sha256(
    // Keys written in canonical (sorted) order, so canonicalJson can take its fast path.
    canonicalJson({
      data: event.data,
      effectiveAt: event.effectiveAt,
      eventId: event.eventId,
      metadata,
      prevHash: metadata.prevHash,
      revision: event.revision.toString(),
      schemaVersion: event.schemaVersion,
      streamId: event.streamId,
      type: event.type,
    }),
  );
}

/** One step of the log digest: `sha256(previousDigest + hash)` over the two hex strings. */
export const nextDigest = (previous: string, hash: string): string => sha256(previous + hash);

/**
 * What the next event of a stream links to: the previous event's stored hash, or, for an event written
 * before the chain existed, what its content hashes to (so the chain from then on still anchors it).
 */
const linkTo = (previous: HashedFields): string =>
  typeof previous.metadata.hash === 'string' ? previous.metadata.hash : eventHash(previous);

/**
 * Chains new events onto a stream whose last event is `previous` (undefined for a new stream): sets each
 * event's `prevHash` and `hash` for the revision it will get. The hash depends on the revision, so events
 * must be sealed again after the stream moved on (the command handler re-reads and re-decides anyway).
 */
export function sealEvents(
  streamId: string,
  previous: HashedFields | undefined,
  events: EventToAppend[],
): EventToAppend[] {
  let prevHash = previous ? linkTo(previous) : GENESIS_HASH;
  let revision = previous ? previous.revision : -1n;
  return events.map((event) => {
    revision += 1n;
    const { hash: _hash, prevHash: _prevHash, ...rest } = event.metadata;
    // Keys put in canonical order once here, so hashing now and storing next serialise on the fast path.
    const metadata = withCanonicalKeyOrder<EventMetadata>({ ...rest, prevHash });
    const data = withCanonicalKeyOrder(event.data);
    const hash = eventHash({ ...event, data, streamId, revision, metadata });
    prevHash = hash;
    // `hash` sorts before `idempotencyKey` and the rest: insert it in its place to keep the order canonical.
    return { ...event, data, metadata: withCanonicalKeyOrder({ ...metadata, hash }) };
  });
}

export type ChainFailureKind =
  /** the stored hash is not the hash of the stored content: data, metadata, time or identity changed */
  | 'hash-mismatch'
  /** the event carries no hash at all */
  | 'missing-hash'
  /** prevHash is not the hash of the stream's previous event: an event before it was replaced */
  | 'broken-link'
  /** revisions were skipped: events of the stream are missing before this one */
  | 'revision-gap'
  /** a revision at or below one seen earlier in the log: events reordered or duplicated */
  | 'revision-order'
  /** global positions not strictly increasing (an export file out of order) */
  | 'position-order'
  /** recorded time running backwards in position order */
  | 'recorded-at-order';

export interface ChainFailure {
  streamId: string;
  revision: bigint;
  eventId: string;
  position: bigint;
  kind: ChainFailureKind;
  message: string;
}

export interface ChainVerification {
  verified: boolean;
  events: number;
  streams: number;
  /** position of the last event checked; 0n for an empty log */
  lastPosition: bigint;
  /** the log digest up to lastPosition */
  digest: string;
  /** the first `maxFailures` failures, in log order */
  failures: ChainFailure[];
  /** every failure found, also those beyond `maxFailures` */
  failureCount: number;
}

export interface ChainVerifierOptions {
  /** failures kept in the result (default 1000); the count goes on */
  maxFailures?: number;
}

/**
 * Checks events fed in global order, one at a time, keeping only the last revision and hash per stream:
 * memory grows with the number of streams, not of events. Also folds the log digest.
 */
export class ChainVerifier {
  private readonly heads = new Map<string, { revision: bigint; hash: string }>();
  private readonly failures: ChainFailure[] = [];
  private readonly maxFailures: number;
  private failureCount = 0;
  private count = 0;
  private last: { position: bigint; recordedAt: string } | undefined;
  private currentDigest = GENESIS_HASH;

  constructor(options: ChainVerifierOptions = {}) {
    this.maxFailures = options.maxFailures ?? 1000;
  }

  /** The digest over every event added so far. */
  get digest(): string {
    return this.currentDigest;
  }

  get lastPosition(): bigint {
    return this.last?.position ?? 0n;
  }

  get events(): number {
    return this.count;
  }

  add(event: RecordedEvent): void {
    const fail = (kind: ChainFailureKind, message: string) => {
      this.failureCount += 1;
      if (this.failures.length < this.maxFailures) {
        this.failures.push({
          streamId: event.streamId,
          revision: event.revision,
          eventId: event.eventId,
          position: event.position,
          kind,
          message,
        });
      }
    };
    this.count += 1;

    if (this.last && event.position <= this.last.position)
      fail('position-order', `position ${event.position} follows position ${this.last.position}`);
    if (this.last && event.recordedAt < this.last.recordedAt)
      fail(
        'recorded-at-order',
        `recorded at ${event.recordedAt}, before the previous ${this.last.recordedAt}`,
      );
    this.last = { position: event.position, recordedAt: event.recordedAt };

    const recomputed = eventHash(event);
    const stored = event.metadata?.hash;
    if (typeof stored !== 'string') fail('missing-hash', 'the event carries no hash');
    else if (stored !== recomputed)
      fail('hash-mismatch', `stored hash ${stored} but the content hashes to ${recomputed}`);
    // The digest folds what the content hashes to, so an edit changes it even where the stored hash was kept.
    this.currentDigest = nextDigest(this.currentDigest, recomputed);

    const head = this.heads.get(event.streamId);
    const expected = head ? head.revision + 1n : 0n;
    if (event.revision < expected) {
      // Out of order or a duplicate; the stream's head stays, so the events after it are judged normally.
      fail(
        'revision-order',
        `revision ${event.revision} appears after revision ${expected - 1n} of the stream`,
      );
      return;
    }
    if (event.revision > expected) {
      fail(
        'revision-gap',
        expected === event.revision - 1n
          ? `revision ${expected} is missing before this event`
          : `revisions ${expected} to ${event.revision - 1n} are missing before this event`,
      );
    } else {
      const expectedLink = head ? head.hash : GENESIS_HASH;
      if (event.metadata?.prevHash !== expectedLink) {
        fail(
          'broken-link',
          head
            ? `prevHash ${String(event.metadata?.prevHash)} is not the hash ${expectedLink} of revision ${head.revision}`
            : `prevHash ${String(event.metadata?.prevHash)} of the stream's first event is not the genesis hash`,
        );
      }
    }
    // as sealEvents links: to the stored hash, or to the content of an event that has none
    this.heads.set(event.streamId, {
      revision: event.revision,
      hash: typeof stored === 'string' ? stored : recomputed,
    });
  }

  result(): ChainVerification {
    return {
      verified: this.failureCount === 0,
      events: this.count,
      streams: this.heads.size,
      lastPosition: this.lastPosition,
      digest: this.currentDigest,
      failures: [...this.failures],
      failureCount: this.failureCount,
    };
  }
}

/** Recomputes every hash chain over events given in global position order. */
export function verifyChains(
  events: Iterable<RecordedEvent>,
  options: ChainVerifierOptions = {},
): ChainVerification {
  const verifier = new ChainVerifier(options);
  for (const event of events) verifier.add(event);
  return verifier.result();
}

/**
 * The log digest up to `position` (inclusive) over events in global order: digest_0 = GENESIS_HASH,
 * digest_n = sha256(digest_{n-1} + hash_n), hash_n being what the n-th event's content hashes to.
 */
export function logDigest(events: Iterable<RecordedEvent>, position?: bigint): string {
  let digest = GENESIS_HASH;
  for (const event of events) {
    if (position !== undefined && event.position > position) break;
    digest = nextDigest(digest, eventHash(event));
  }
  return digest;
}

export interface LogPagesOptions {
  /** exclusive, like every position cursor of the store */
  fromPosition?: bigint;
  /** inclusive; default: the head when the walk starts, so the walk ends while appends go on */
  toPosition?: bigint;
  pageSize?: number;
}

/**
 * The global log page by page, one page in memory at a time; yields to the event loop between pages so a
 * long walk over a synchronous store does not starve other requests.
 */
export async function* readLogPages(
  store: EventStore,
  options: LogPagesOptions = {},
): AsyncGenerator<RecordedEvent[]> {
  const pageSize = options.pageSize ?? 1000;
  const end = options.toPosition ?? (await store.headPosition());
  let position = options.fromPosition ?? 0n;
  while (position < end) {
    const page = await store.readAll({ fromPosition: position, limit: pageSize });
    if (page.length === 0) return;
    const within = page[page.length - 1]!.position <= end ? page : page.filter((e) => e.position <= end);
    if (within.length > 0) yield within;
    if (within.length < page.length || page.length < pageSize) return;
    position = page[page.length - 1]!.position;
    await yieldToEventLoop();
  }
}

export interface StoreVerificationOptions extends ChainVerifierOptions {
  pageSize?: number;
  onProgress?: (progress: { position: bigint; head: bigint; events: number }) => void;
}

/** Verifies every chain in a store, up to its head when the walk starts. */
export async function verifyStore(
  store: EventStore,
  options: StoreVerificationOptions = {},
): Promise<ChainVerification> {
  const head = await store.headPosition();
  const verifier = new ChainVerifier(options);
  for await (const page of readLogPages(store, { toPosition: head, pageSize: options.pageSize })) {
    for (const event of page) verifier.add(event);
    options.onProgress?.({ position: verifier.lastPosition, head, events: verifier.events });
  }
  return verifier.result();
}

export interface LogDigest {
  /** the cut: every event at or before it is folded in */
  position: bigint;
  digest: string;
  /** how many events the digest covers */
  events: number;
}

/** The digest of a store's log up to `position` (default: the head). */
export async function storeDigest(store: EventStore, position?: bigint): Promise<LogDigest> {
  const cut = position ?? (await store.headPosition());
  let digest = GENESIS_HASH;
  let events = 0;
  for await (const page of readLogPages(store, { toPosition: cut })) {
    for (const event of page) digest = nextDigest(digest, eventHash(event));
    events += page.length;
  }
  return { position: cut, digest, events };
}

/** The JSON form of a failure: 64-bit numbers as decimal strings. */
export const chainFailureToJson = (failure: ChainFailure) => ({
  ...failure,
  revision: failure.revision.toString(),
  position: failure.position.toString(),
});

/** The JSON form of a verification result, as GET /audit/verify answers it. */
export const chainVerificationToJson = (result: ChainVerification) => ({
  verified: result.verified,
  events: result.events,
  streams: result.streams,
  lastPosition: result.lastPosition.toString(),
  digest: result.digest,
  failures: result.failures.map(chainFailureToJson),
  failureCount: result.failureCount,
});

const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * Reads back an envelope in the JSON form of `envelopeToJson` (one line of an NDJSON export).
 * Throws on a missing field, so a truncated or hand-edited line is reported, not half-read.
 */
export function envelopeFromJson(json: unknown): RecordedEvent {
  const value = json as Record<string, unknown>;
  const text = (name: string): string => {
    const member = value?.[name];
    if (typeof member !== 'string') throw new TypeError(`event field "${name}" is missing or not a string`);
    return member;
  };
  const decimal = (name: string): bigint => {
    const member = text(name);
    if (!DECIMAL.test(member)) throw new TypeError(`event field "${name}" is not a decimal integer`);
    return BigInt(member);
  };
  if (typeof value?.schemaVersion !== 'number') throw new TypeError('event field "schemaVersion" is missing');
  if (typeof value.metadata !== 'object' || value.metadata === null)
    throw new TypeError('event field "metadata" is missing');
  if (!('data' in value)) throw new TypeError('event field "data" is missing');
  return {
    eventId: text('eventId'),
    type: text('type'),
    schemaVersion: value.schemaVersion,
    streamId: text('streamId'),
    revision: decimal('revision'),
    position: decimal('position'),
    recordedAt: text('recordedAt'),
    effectiveAt: text('effectiveAt'),
    data: value.data,
    metadata: value.metadata as EventMetadata,
  };
}
