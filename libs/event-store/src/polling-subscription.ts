import type { EventEmitter } from 'node:events';
import type { RecordedEvent } from './event-envelope';
import type { ReadAllOptions, SubscribeOptions, Subscription } from './event-store.port';

/** What a store that reads its own log gives the catch-up loop of its subscriptions. */
export interface PolledLog {
  /** emits `append` whenever the log may have grown (a commit of this process, a notification) */
  appended: EventEmitter;
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** how long an empty read waits for an append before reading again (asked before each wait) */
  idlePauseMs(): number;
  /** how long to wait after a failure before trying again */
  retryPauseMs: number;
  /**
   * Whether an append cuts the wait after a failure short. For a local file it may (an append proves the
   * file works); for a server it must not: appends elsewhere do not make this connection healthy.
   */
  appendEndsRetryPause: boolean;
}

/**
 * Delivers the log after `options.fromPosition` in batches, then waits for appends: the subscription of
 * the SQLite and PostgreSQL stores. Every failure is retried after a pause (`onError(error, true)`):
 * neither store refuses a reader for good.
 */
export function pollingSubscription(log: PolledLog, options: SubscribeOptions): Subscription {
  let running = true;
  // Set by every append, cleared before every read: an append that lands between an empty read and the
  // pause that follows it must not wait out the poll interval.
  let appendedSinceRead = false;
  let wake: (() => void) | undefined;
  const onAppend = () => {
    appendedSinceRead = true;
    wake?.();
  };
  log.appended.on('append', onAppend);
  const pause = (ms: number, endsOnAppend: boolean) =>
    new Promise<void>((resolve) => {
      if ((endsOnAppend && appendedSinceRead) || !running) return resolve();
      const timer = setTimeout(resolve, ms);
      wake = () => {
        if (!endsOnAppend && running) return;
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => (wake = undefined));

  const loop = async () => {
    let position = options.fromPosition;
    while (running) {
      try {
        appendedSinceRead = false;
        const batch = await log.readAll({ fromPosition: position, limit: options.batchSize ?? 500 });
        if (batch.length === 0) {
          await pause(log.idlePauseMs(), true);
          continue;
        }
        await options.onEvents(batch);
        position = batch[batch.length - 1]!.position;
      } catch (error) {
        options.onError?.(error, true);
        if (running) await pause(log.retryPauseMs, log.appendEndsRetryPause);
      }
    }
  };
  const done = loop();
  return {
    stop: async () => {
      running = false;
      log.appended.off('append', onAppend);
      wake?.();
      await done;
    },
  };
}
