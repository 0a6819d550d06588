import {
  type AppendResult,
  type EventStore,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from '@ledger/event-store';
import { randomUUID } from 'node:crypto';

/**
 * A view of a shared, non-empty event store (a real EventStoreDB whose log outlives the tests) that looks
 * empty and private to one test: its streams get a unique prefix, and the log starts at the store's head
 * when the view was made. The contract suite assumes a fresh store per test; this is how it gets one on a
 * real server. Test support only.
 */
export async function isolatedView(store: EventStore): Promise<EventStore> {
  const prefix = `t${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const start = await store.headPosition();
  const mine = (event: RecordedEvent) => event.streamId.startsWith(prefix);
  const unprefixed = (event: RecordedEvent): RecordedEvent => ({
    ...event,
    streamId: event.streamId.slice(prefix.length),
  });
  const after = (position: bigint) => (position > start ? position : start);

  const readAll: EventStore['readAll'] = async ({ fromPosition = 0n, limit = 1000 } = {}) => {
    const found: RecordedEvent[] = [];
    let cursor = after(fromPosition);
    while (found.length < limit) {
      const page = await store.readAll({ fromPosition: cursor, limit: 1000 });
      if (page.length === 0) break;
      found.push(...page.filter(mine).map(unprefixed));
      cursor = page[page.length - 1]!.position;
    }
    return found.slice(0, limit);
  };

  return {
    append: async (streamId, events, expected): Promise<AppendResult> => {
      try {
        return { ...(await store.append(prefix + streamId, events, expected)), streamId };
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError)
          throw new WrongExpectedRevisionError(streamId, error.expected, error.actual);
        throw error;
      }
    },
    importRecorded: (events) =>
      store.importRecorded(events.map((event) => ({ ...event, streamId: prefix + event.streamId }))),
    readStream: async (streamId, fromRevision) =>
      (await store.readStream(prefix + streamId, fromRevision)).map(unprefixed),
    readAll,
    headPosition: async () => {
      const all = await readAll({ limit: Number.MAX_SAFE_INTEGER });
      return all.length === 0 ? 0n : all[all.length - 1]!.position;
    },
    subscribeToAll: (options) =>
      store.subscribeToAll({
        ...options,
        fromPosition: after(options.fromPosition),
        onEvents: async (events) => {
          const ours = events.filter(mine).map(unprefixed);
          if (ours.length > 0) await options.onEvents(ours);
        },
      }),
    close: () => store.close(),
  };
}
