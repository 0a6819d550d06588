import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { RecordedEvent, RecordedOrStoredEvent } from './event-envelope';
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
export function readLogPages(
  store: EventStore,
  options: LogPagesOptions = {},
): AsyncGenerator<RecordedEvent[]> {
  return pagesOf(store, (page) => store.readAll(page), options);
}

/**
 * `readLogPages` with each event as the store holds it (`StoredEvent`: data and metadata unparsed), from
 * a store that can hand them out so (`readAllStored`), parsed from any other: for walks that only hash and
 * check the log, which ChainVerifier, storedEventHash and nextDigestCheckpoint take in either form.
 */
export function readStoredLogPages(
  store: EventStore,
  options: LogPagesOptions = {},
): AsyncGenerator<RecordedOrStoredEvent[]> {
  const readStored = store.readAllStored?.bind(store);
  return pagesOf<RecordedOrStoredEvent>(store, readStored ?? ((page) => store.readAll(page)), options);
}

async function* pagesOf<Event extends { position: bigint }>(
  store: EventStore,
  read: (page: { fromPosition: bigint; limit: number }) => Promise<Event[]>,
  options: LogPagesOptions,
): AsyncGenerator<Event[]> {
  const pageSize = options.pageSize ?? 1000;
  const end = options.toPosition ?? (await store.headPosition());
  let position = options.fromPosition ?? 0n;
  while (position < end) {
    const page = await read({ fromPosition: position, limit: pageSize });
    if (page.length === 0) return;
    const within = page[page.length - 1]!.position <= end ? page : page.filter((e) => e.position <= end);
    if (within.length > 0) yield within;
    if (within.length < page.length || page.length < pageSize) return;
    position = page[page.length - 1]!.position;
    await yieldToEventLoop();
  }
}
