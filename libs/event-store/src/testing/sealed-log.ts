import type { EventToAppend, RecordedEvent } from '../event-envelope';
import { sealEvents } from '../seal';

const metadata = { actor: { name: 'jogmec', roles: ['recorder'] }, correlationId: 'c-1', causationId: 'c-1' };

/** The n-th event a command handler would hand to the store, before sealing. */
export const draftEvent = (n: number, data: unknown = { n }): EventToAppend => ({
  eventId: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
  type: 'StockpileAcquired',
  schemaVersion: 1,
  effectiveAt: '2026-02-01T00:00:00.000Z',
  data,
  metadata: { ...metadata },
});

export interface SealedLogOptions {
  /** the position the store gives the n-th event (default n: SQLite's and PostgreSQL's dense positions) */
  positionOf?: (sequence: number) => bigint;
  /** the recorded time the store gives the n-th event (default one second apart from 2026-03-01) */
  recordedAtOf?: (sequence: number) => string;
}

/** One second after 2026-03-01T00:00:00Z for each event: recorded times that never run backwards. */
export const secondsIntoMarch = (sequence: number): string =>
  new Date(Date.UTC(2026, 2, 1) + sequence * 1000).toISOString();

/**
 * A recorded log built the way the command handler and a store would: sealed per stream, in global order.
 * `plan` lists appends as [stream, how many events].
 */
export function sealedLog(
  plan: [streamId: string, count: number][],
  options: SealedLogOptions = {},
): RecordedEvent[] {
  const positionOf = options.positionOf ?? ((sequence: number) => BigInt(sequence));
  const recordedAtOf = options.recordedAtOf ?? secondsIntoMarch;
  const log: RecordedEvent[] = [];
  const heads = new Map<string, RecordedEvent>();
  let n = 0;
  for (const [streamId, count] of plan) {
    const previous = heads.get(streamId);
    const drafts = Array.from({ length: count }, (_, index) => draftEvent(n + index + 1));
    let revision = previous ? previous.revision : -1n;
    for (const event of sealEvents(streamId, previous, drafts)) {
      n += 1;
      revision += 1n;
      const recorded: RecordedEvent = {
        ...event,
        streamId,
        revision,
        position: positionOf(n),
        recordedAt: recordedAtOf(n),
      };
      log.push(recorded);
      heads.set(streamId, recorded);
    }
  }
  return log;
}
