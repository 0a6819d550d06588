import { categoryOfStream } from '@ledger/domain';
import { envelopeToJson, type RecordedEvent } from '@ledger/event-store';

/**
 * What a feed message carries: the event as GET /audit/log gives it. The feed's shape is chosen here and
 * nowhere else, so that moving the feed to the audit log's entry shape is a change of this line only.
 */
export const feedData = (event: RecordedEvent): unknown => envelopeToJson(event);

/**
 * One Server-Sent Events message: the global position as its id (what `Last-Event-ID` resumes after), the
 * event type as its name. JSON text has no raw line break, so `data` is a single line.
 */
export const sseMessage = (event: RecordedEvent): string =>
  `id: ${event.position}\nevent: ${event.type}\ndata: ${JSON.stringify(feedData(event))}\n\n`;

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
