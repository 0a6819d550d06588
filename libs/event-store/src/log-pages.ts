import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { RecordedEvent } from './event-envelope';
import type { EventStore } from './event-store.port';

/** Which part of the global log to walk, and how many events a page. */
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
