import {
  START,
  eventTypeFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Position,
} from '@eventstore/db-client';
import type { RecordedEvent } from '../event-envelope';
import { StoreUnavailableError, type SubscribeOptions } from '../event-store.port';
import type { EsdbConnection } from './eventstoredb-connection';
import {
  LEDGER_EVENT_TYPES,
  atPosition,
  isLater,
  isLedgerRecord,
  isPermanent,
  positionOf,
  toRecorded,
} from './eventstoredb-mapping';

const HANDLER_RETRY_MS = 500;

export interface SubscriptionSettings {
  minPauseMs: number;
  maxPauseMs: number;
  checkpointIntervalMultiplier: number;
  /** the longest silence of the server while catching up before the subscription counts as stalled */
  readTimeoutMs: number;
  /** a position whose event (or a checkpoint at or past it) means the catch-up is done */
  catchUpTarget(): Promise<bigint>;
  mapError(error: unknown): unknown;
}

/**
 * A catch-up subscription to `$all` that survives the server: it resubscribes with backoff after the
 * stream fails (CancelledError, UnavailableError, a stalled catch-up, ...) or ends, always strictly after
 * the last event handled, or after the last checkpoint the server sent once every event before it was
 * handled. It gives up, and says why, only on errors no retry cures (access denied).
 */
export class EsdbSubscription {
  private running = true;
  /** exclusive resume point; undefined: from the start of the log */
  private resumeAfter: Position | undefined;
  private lastDelivered: bigint;
  private current: AllStreamSubscription | undefined;
  /** wakes the loop waiting for the server */
  private wakeFollow: (() => void) | undefined;
  /** ends a pause (backoff or handler retry) early, on stop */
  private wakePause: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(
    private readonly connection: EsdbConnection,
    private readonly options: SubscribeOptions,
    private readonly settings: SubscriptionSettings,
  ) {
    this.lastDelivered = options.fromPosition;
    this.resumeAfter = options.fromPosition === 0n ? undefined : atPosition(options.fromPosition);
    this.done = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.poke();
    this.wakePause?.();
    await this.current?.unsubscribe().catch(() => undefined);
    await this.done;
  }

  private poke(): void {
    const wake = this.wakeFollow;
    this.wakeFollow = undefined;
    wake?.();
  }

  /** Resolves true when poked, false when `ms` passed first (never, without `ms`). */
  private waitForServer(ms: number | undefined): Promise<boolean> {
    return new Promise((resolve) => {
      const timer =
        ms === undefined
          ? undefined
          : setTimeout(() => {
              this.wakeFollow = undefined;
              resolve(false);
            }, ms);
      this.wakeFollow = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (!this.running) return resolve();
      const timer = setTimeout(() => {
        this.wakePause = undefined;
        resolve();
      }, ms);
      this.wakePause = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private advance(position: Position): void {
    if (!this.resumeAfter || isLater(position, this.resumeAfter)) this.resumeAfter = position;
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let progressed = false;
      let failure: unknown;
      try {
        progressed = await this.follow();
        if (!this.running) break;
        failure = new StoreUnavailableError('EventStoreDB ended the subscription; resubscribing');
      } catch (error) {
        if (!this.running) break;
        failure = this.settings.mapError(error);
      }
      if (isPermanent(failure)) {
        this.running = false;
        this.options.onError?.(failure, false);
        break;
      }
      this.options.onError?.(failure, true);
      failures = progressed ? 1 : failures + 1;
      const pause = Math.min(this.settings.maxPauseMs, this.settings.minPauseMs * 2 ** (failures - 1));
      await this.pause(pause * (0.75 + Math.random() / 2));
    }
  }

  /** One server subscription, until it fails, ends, stalls or is stopped; true if it got anywhere. */
  private async follow(): Promise<boolean> {
    const batchSize = this.options.batchSize ?? 500;
    const queue: AllStreamResolvedEvent[] = [];
    let ended = false;
    let failure: unknown;
    let handling = false;
    let pendingCheckpoint: Position | undefined;
    let progressed = false;

    // The catch-up is bounded in time like any read; once live, silence only means nothing happens. Servers
    // before 23.10 send no CaughtUp, so reaching what the log held at the start also ends the catch-up.
    const target = await this.settings.catchUpTarget();
    const resumedAt = this.resumeAfter?.commit ?? 0n;
    let caughtUp = target <= (this.lastDelivered > resumedAt ? this.lastDelivered : resumedAt);
    const reached = (position: bigint) => {
      if (position >= target) caughtUp = true;
    };

    const subscription = this.connection.client.subscribeToAll({
      fromPosition: this.resumeAfter ?? START,
      filter: eventTypeFilter({
        regex: LEDGER_EVENT_TYPES,
        checkpointInterval: this.settings.checkpointIntervalMultiplier,
        // Every event the server sent before this checkpoint has been pushed by now; it is a safe resume
        // point once none of them waits in a buffer or in the handler.
        checkpointReached: (_subscription, position) => {
          reached(position.commit);
          this.poke();
          if (queue.length > 0 || subscription.readableLength > 0) return;
          if (handling) pendingCheckpoint = position;
          else this.advance(position);
        },
      }),
    });
    this.current = subscription;
    subscription.on('data', (resolved: AllStreamResolvedEvent) => {
      queue.push(resolved);
      // Bounded memory while catching up on a long log: the client's stream applies backpressure.
      if (queue.length >= batchSize * 4) subscription.pause();
      this.poke();
    });
    subscription.on('confirmation', () => this.poke());
    subscription.on('caughtUp', () => {
      caughtUp = true;
      progressed = true;
      this.poke();
    });
    const finish = (error?: unknown) => {
      if (error !== undefined && failure === undefined) failure = error;
      ended = true;
      this.poke();
    };
    subscription.on('error', (error) => finish(error));
    subscription.on('end', () => finish());
    subscription.on('close', () => finish());

    try {
      while (this.running) {
        if (queue.length === 0) {
          if (ended) break;
          // Only a wait for the server counts: the queue is empty and the handler idle.
          const heard = await this.waitForServer(caughtUp ? undefined : this.settings.readTimeoutMs);
          if (!heard && !caughtUp && queue.length === 0 && !ended) {
            failure = new StoreUnavailableError(
              `EventStoreDB sent nothing for ${this.settings.readTimeoutMs} ms while the subscription caught up; resubscribing`,
            );
            break;
          }
          continue;
        }
        const raw = queue.splice(0, batchSize);
        if (subscription.isPaused() && queue.length < batchSize) subscription.resume();
        const batch: RecordedEvent[] = [];
        let lastSeen: Position | undefined;
        for (const resolved of raw) {
          const record = resolved.event;
          if (!record?.position) continue;
          lastSeen = record.position;
          const position = positionOf(record);
          reached(position);
          // Strictly after what was handled: a resubscription may repeat the boundary event.
          if (position <= this.lastDelivered || !isLedgerRecord(record)) continue;
          batch.push(toRecorded(record));
        }
        if (batch.length > 0) {
          handling = true;
          const delivered = await this.deliver(batch);
          handling = false;
          if (!delivered) break;
          this.lastDelivered = batch[batch.length - 1]!.position;
          progressed = true;
        }
        if (lastSeen) this.advance(lastSeen);
        if (pendingCheckpoint) {
          this.advance(pendingCheckpoint);
          pendingCheckpoint = undefined;
        }
      }
    } finally {
      this.current = undefined;
      // Cancels the call (also a stalled one), which frees it on the server.
      if (!ended) await subscription.unsubscribe().catch(() => undefined);
    }
    if (failure !== undefined && this.running) throw failure;
    return progressed;
  }

  /** Hands a batch to the handler, retrying it after a pause until it succeeds or the subscription stops. */
  private async deliver(batch: RecordedEvent[]): Promise<boolean> {
    for (;;) {
      try {
        await this.options.onEvents(batch);
        return true;
      } catch (error) {
        this.options.onError?.(error, true);
        if (!this.running) return false;
        await this.pause(HANDLER_RETRY_MS);
        if (!this.running) return false;
      }
    }
  }
}
