import { isStoredEvent, type LogEntry, parseStoredEvent, type StoredLogEntry } from './event-envelope';
import type { EventStore } from './event-store.port';
import {
  type DigestCheckpoint,
  DIGEST_VERSION,
  type DigestVersion,
  GENESIS_CHECKPOINT,
  nextDigest,
  nextDigestCheckpoint,
} from './log-digest';
import { readStoredLogPages } from './log-pages';
import { eventHash, GENESIS_HASH, hashOfStoredText } from './seal';
import { canonicalStoredText } from './stored-text';

/** What is wrong with an event, as verification names it. */
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
  /**
   * the log digest recomputed through this event differs from the one its log line carries: its recorded
   * time, its place in the log or an earlier event was altered. Named once, at the first such event.
   */
  | 'digest-mismatch';

/** One failure, at the event where it shows. */
export interface ChainFailure {
  streamId: string;
  revision: bigint;
  eventId: string;
  position: bigint;
  kind: ChainFailureKind;
  message: string;
}

/** What a verification found, and where the log digest stands at its end. */
export interface ChainVerification {
  verified: boolean;
  /** events checked (after the checkpoint, when the verification started from one) */
  events: number;
  /** streams seen among them */
  streams: number;
  /** the ordinal of the last event checked in the global order: how many events the digest covers */
  sequence: bigint;
  /** position of the last event checked; 0n for an empty log */
  lastPosition: bigint;
  /** the log digest through the last event checked, of `digestVersion` */
  digest: string;
  digestVersion: DigestVersion;
  /**
   * every position equalled its sequence: true on SQLite and PostgreSQL, whose positions are dense by
   * construction, so there a false means positions were altered; EventStoreDB's positions have gaps
   */
  densePositions: boolean;
  /** the first `maxFailures` failures, in log order */
  failures: ChainFailure[];
  /** every failure found, also those beyond `maxFailures` */
  failureCount: number;
}

/** How a verification counts failures, which digest it reports, and where it starts. */
export interface ChainVerifierOptions {
  /** failures kept in the result (default 1000); the count goes on */
  maxFailures?: number;
  /** the version of the digest in the result (default DIGEST_VERSION); version 1 only from the start */
  digestVersion?: DigestVersion;
  /**
   * Go on after this checkpoint (a version 2 digest) instead of the start of the log. Each stream's first
   * event after it is taken as its head: the checkpoint's digest vouches for what came before.
   */
  from?: DigestCheckpoint;
}

/**
 * Checks events fed in global order, one at a time, keeping only the last revision and hash per stream:
 * memory grows with the number of streams, not of events. Also counts the sequence, clamps recorded
 * time and folds the log digest, and compares it with the digest a log line carries.
 */
export class ChainVerifier {
  private readonly heads = new Map<string, { revision: bigint; hash: string }>();
  private readonly failures: ChainFailure[] = [];
  private readonly maxFailures: number;
  private readonly digestVersion: DigestVersion;
  private readonly resumed: boolean;
  private failureCount = 0;
  private count = 0;
  /** always version 2: a log line's evidence is */
  private current: DigestCheckpoint;
  /** folded only when version 1 is asked for */
  private digestV1: string | undefined;
  private dense = true;
  private evidenceMismatched = false;

  constructor(options: ChainVerifierOptions = {}) {
    this.maxFailures = options.maxFailures ?? 1000;
    this.digestVersion = options.digestVersion ?? DIGEST_VERSION;
    // From the genesis checkpoint nothing came before: every stream must start at revision 0.
    this.resumed = options.from !== undefined && options.from.sequence > 0n;
    if (this.resumed && this.digestVersion === 1)
      throw new RangeError('a checkpoint holds a version 2 digest: verify version 1 from the start');
    this.current = { ...(options.from ?? GENESIS_CHECKPOINT) };
    if (this.digestVersion === 1) this.digestV1 = GENESIS_CHECKPOINT.digest;
  }

  /** The digest (of the version asked) over every event added so far. */
  get digest(): string {
    return this.digestV1 ?? this.current.digest;
  }

  /** Position of the last event added; the checkpoint's, or 0n, before any. */
  get lastPosition(): bigint {
    return this.current.position;
  }

  /** How many events of the global order the digest covers. */
  get sequence(): bigint {
    return this.current.sequence;
  }

  /** Whether every event added so far passed: no failure yet. */
  get verified(): boolean {
    return this.failureCount === 0;
  }

  /** Events added to this verifier (after the checkpoint, when it started from one). */
  get events(): number {
    return this.count;
  }

  /** Where the version 2 digest stands: a checkpoint to go on from later. */
  get checkpoint(): DigestCheckpoint {
    return { ...this.current };
  }

  /**
   * Checks the next event of the global order; the evidence of a log line (sequence, digest), when given.
   * An event as stored (`readStoredLogPages`) is judged from its text where that is canonical, and
   * parsed otherwise: the verdict is the same either way.
   */
  add(event: LogEntry | StoredLogEntry): void {
    if (!isStoredEvent(event)) {
      this.judge(event, eventHash(event), event.metadata?.hash, event.metadata?.prevHash);
      return;
    }
    const text = canonicalStoredText(event);
    const recomputed = text && hashOfStoredText(event, text);
    // Only a hash that confirms the stored one is taken from the text: anything to report (or a damaged
    // row) is judged on the parsed event, exactly as a parsed event always was.
    if (text === undefined || recomputed !== text.hash) {
      this.add(parseStoredEvent(event));
      return;
    }
    this.judge(event, recomputed, text.hash, text.prevHash);
  }

  /**
   * The verdict on one event, given what its content hashes to and the `hash` and `prevHash` its
   * metadata holds (anything, on an altered row).
   */
  private judge(
    event: LogEntry | StoredLogEntry,
    recomputed: string,
    stored: unknown,
    prevHash: unknown,
  ): void {
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
    const previous = this.current;
    if ((this.count > 0 || this.resumed) && event.position <= previous.position)
      fail('position-order', `position ${event.position} follows position ${previous.position}`);
    this.count += 1;

    const contentAltered = typeof stored === 'string' && stored !== recomputed;
    if (typeof stored !== 'string') fail('missing-hash', 'the event carries no hash');
    else if (contentAltered)
      fail('hash-mismatch', `stored hash ${stored} but the content hashes to ${recomputed}`);
    // The digest folds what the content hashes to, so an edit changes it even where the stored hash was kept.
    this.current = nextDigestCheckpoint(previous, event, { hash: recomputed });
    if (this.digestV1 !== undefined) this.digestV1 = nextDigest(this.digestV1, recomputed);
    if (event.position !== this.current.sequence) this.dense = false;
    this.checkEvidence(event, contentAltered, fail);
    this.checkChain(event, typeof stored === 'string' ? stored : recomputed, prevHash, fail);
  }

  /**
   * The sequence and digest a log line carries against those recomputed. Only the first difference is
   * named: every digest after it differs too. An event whose content no longer matches its hash is named
   * for that already, and that explains its digest.
   */
  private checkEvidence(
    event: LogEntry | StoredLogEntry,
    contentAltered: boolean,
    fail: (kind: ChainFailureKind, message: string) => void,
  ): void {
    if (this.evidenceMismatched) return;
    const { sequence, digest } = this.current;
    const wrongSequence = event.sequence !== undefined && event.sequence !== sequence;
    const wrongDigest = event.digest !== undefined && event.digest !== digest;
    if (!wrongSequence && !wrongDigest) return;
    this.evidenceMismatched = true;
    if (contentAltered) return;
    const given = [
      ...(event.sequence === undefined ? [] : [`sequence ${event.sequence}`]),
      ...(event.digest === undefined ? [] : [`digest ${event.digest}`]),
    ].join(', ');
    fail(
      'digest-mismatch',
      `${given} recorded for this event (by a log line, or by the log index when the event was first read), ` +
        `but the log up to here gives sequence ${sequence}, digest ${digest}: ` +
        `its recorded time (${event.recordedAt}), its position in the log or an earlier event was altered`,
    );
  }

  private checkChain(
    event: LogEntry | StoredLogEntry,
    linkHash: string,
    prevHash: unknown,
    fail: (kind: ChainFailureKind, message: string) => void,
  ): void {
    const head = this.heads.get(event.streamId);
    // as sealEvents links: to the stored hash, or to the content of an event that has none
    const advance = () => this.heads.set(event.streamId, { revision: event.revision, hash: linkHash });
    // After a checkpoint, a stream's first event links to what the checkpoint's digest vouches for.
    if (!head && this.resumed) {
      advance();
      return;
    }
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
      if (prevHash !== expectedLink) {
        fail(
          'broken-link',
          head
            ? `prevHash ${String(prevHash)} is not the hash ${expectedLink} of revision ${head.revision}`
            : `prevHash ${String(prevHash)} of the stream's first event is not the genesis hash`,
        );
      }
    }
    advance();
  }

  /** The verdict over every event added so far. */
  result(): ChainVerification {
    return {
      verified: this.failureCount === 0,
      events: this.count,
      streams: this.heads.size,
      sequence: this.current.sequence,
      lastPosition: this.current.position,
      digest: this.digest,
      digestVersion: this.digestVersion,
      densePositions: this.dense,
      failures: [...this.failures],
      failureCount: this.failureCount,
    };
  }
}

/** Recomputes every hash chain over events given in global position order. */
export function verifyChains(
  events: Iterable<LogEntry | StoredLogEntry>,
  options: ChainVerifierOptions = {},
): ChainVerification {
  const verifier = new ChainVerifier(options);
  for (const event of events) verifier.add(event);
  return verifier.result();
}

/** A store's verification: the page size of the walk, and progress after each page. */
export interface StoreVerificationOptions extends ChainVerifierOptions {
  pageSize?: number;
  onProgress?: (progress: { position: bigint; head: bigint; events: number }) => void;
}

/** Verifies every chain in a store (after `from`, when given), up to its head when the walk starts. */
export async function verifyStore(
  store: EventStore,
  options: StoreVerificationOptions = {},
): Promise<ChainVerification> {
  const head = await store.headPosition();
  const verifier = new ChainVerifier(options);
  // As stored: the text is hashed where it is canonical, without parsing and serialising every event.
  const pages = readStoredLogPages(store, {
    fromPosition: options.from?.position ?? 0n,
    toPosition: head,
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  });
  for await (const page of pages) {
    for (const event of page) verifier.add(event);
    options.onProgress?.({ position: verifier.lastPosition, head, events: verifier.events });
  }
  return verifier.result();
}

/** One line naming a failure: its kind, stream, revision, event id and position, and what is wrong. */
export const describeChainFailure = (failure: ChainFailure): string =>
  `${failure.kind}: stream ${failure.streamId} revision ${failure.revision} event ${failure.eventId} ` +
  `(position ${failure.position}): ${failure.message}`;

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
  sequence: result.sequence.toString(),
  lastPosition: result.lastPosition.toString(),
  densePositions: result.densePositions,
  digest: result.digest,
  digestVersion: result.digestVersion,
  failures: result.failures.map(chainFailureToJson),
  failureCount: result.failureCount,
});
