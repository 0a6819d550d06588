import { categoryOfStream } from '@ledger/domain';
import { type LogEvidence, logEntryToJson, type RecordedEvent } from '@ledger/event-store';

/**
 * What a feed message carries: the event as GET /audit/log gives it, with its evidence (its sequence in
 * the log and the running digest through it), so a consumer can check what it was sent against a digest
 * the ledger published.
 */
export const feedData = (event: RecordedEvent, evidence: LogEvidence): unknown =>
  logEntryToJson(event, evidence);

/**
 * One Server-Sent Events message: the global position as its id (what `Last-Event-ID` resumes after), the
 * event type as its name. JSON text has no raw line break, so `data` is a single line.
 */
export const sseMessage = (event: RecordedEvent, evidence: LogEvidence): string =>
  `id: ${event.position}\nevent: ${event.type}\ndata: ${JSON.stringify(feedData(event, evidence))}\n\n`;

/** A comment line: clients ignore it, proxies see traffic on an idle connection. */
export const SSE_HEARTBEAT = ':\n\n';

/** The server-side filters of a feed; an absent one lets every event through. */
export interface FeedFilter {
  types?: ReadonlySet<string>;
  /** stream categories: `project`, `stockpile`, `exportRestriction`, `supply` */
  categories?: ReadonlySet<string>;
}

export const feedAccepts =
  (filter: FeedFilter) =>
  (event: RecordedEvent): boolean =>
    (filter.types === undefined || filter.types.has(event.type)) &&
    (filter.categories === undefined || filter.categories.has(categoryOfStream(event.streamId)));
