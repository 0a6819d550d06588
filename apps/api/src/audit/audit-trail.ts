import { Inject, Injectable } from '@nestjs/common';
import {
  ChainVerifier,
  type ChainVerification,
  type DigestCheckpoint,
  type DigestVersion,
  type EventStore,
  type LogDigest,
  logEntryToJson,
  nextDigestCheckpoint,
  readLogPages,
  readStoredLogPages,
  storeDigest,
} from '@ledger/event-store';
import {
  digestCheckpointBefore,
  digestMilestones,
  logIndexHead,
  type ReadModelStore,
} from '@ledger/projections';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { EVENT_STORE, READ_MODEL_STORE } from '../wiring/tokens';

/** Progress of a verification, after each page of the log. */
export interface VerificationProgress {
  position: bigint;
  head: bigint;
  events: number;
}

/**
 * What auditors ask of the log itself, never of read models: its events with their evidence (sequence and
 * running digest), the digest at any cut, and a full verification. The log index the projector keeps
 * (a digest every 1,024 events) makes the digest anywhere a lookup plus a short walk; verification still
 * recomputes everything from content, and also compares its digests with the index's.
 */
@Injectable()
export class AuditTrail {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
  ) {}

  /**
   * The digest (version 2) through `position`, or through the first `sequence` events: as the ledger
   * computed it when its projector first read the events (the log index), plus the events after the index.
   * A later alteration of the stored events does not change this answer; /audit/verify recomputes from the
   * content and names any event where the two part.
   */
  async digest(cut: { position: bigint } | { sequence: bigint }): Promise<LogDigest> {
    const from = await digestCheckpointBefore(this.readModels.reader, cut);
    return storeDigest(this.events, { ...cut, from });
  }

  /** A version 1 digest (published before recorded times were covered): recomputed from the start. */
  legacyDigest(cut: { position: bigint } | { sequence: bigint }, version: DigestVersion): Promise<LogDigest> {
    return storeDigest(this.events, { ...cut, version });
  }

  /**
   * The log after `fromPosition` up to `toPosition` in pages, each event as a log line with its sequence
   * and the running digest through it; yields to the event loop between pages.
   */
  async *entries(fromPosition: bigint, toPosition: bigint, pageSize: number) {
    let evidence: DigestCheckpoint = await this.digest({ position: fromPosition });
    for await (const page of readLogPages(this.events, { fromPosition, toPosition, pageSize })) {
      yield page.map((event) => {
        evidence = nextDigestCheckpoint(evidence, event);
        return logEntryToJson(event, evidence);
      });
      await yieldToEventLoop();
    }
  }

  /**
   * Recomputes every hash chain and the digest from the start (that is its purpose, so it reads the whole
   * log), comparing the digest at each of the index's milestones, and at its checkpoint, with what the
   * index recorded when the projector first read the events: an altered recorded time, position or a
   * rewritten stream (even one re-hashed to keep its chain) is caught and placed to within 1,024 events.
   */
  async verify(
    options: { digestVersion?: DigestVersion; onProgress?: (progress: VerificationProgress) => void } = {},
  ): Promise<ChainVerification> {
    const head = await this.events.headPosition();
    const recorded = [
      ...(await digestMilestones(this.readModels.reader)),
      await logIndexHead(this.readModels.reader),
    ];
    const milestones = new Map(
      recorded
        .filter((checkpoint) => checkpoint.sequence > 0n)
        .map((checkpoint) => [checkpoint.sequence, checkpoint.digest]),
    );
    const verifier = new ChainVerifier({
      ...(options.digestVersion ? { digestVersion: options.digestVersion } : {}),
    });
    // as stored: canonical text is hashed as it is, without parsing and serialising every event
    for await (const page of readStoredLogPages(this.events, { toPosition: head })) {
      for (const event of page) {
        const sequence = verifier.sequence + 1n;
        const recorded = milestones.get(sequence);
        verifier.add(recorded === undefined ? event : { ...event, sequence, digest: recorded });
      }
      options.onProgress?.({ position: verifier.lastPosition, head, events: verifier.events });
      await yieldToEventLoop();
    }
    return verifier.result();
  }
}
