/*
 * A second process appending to the same PostgreSQL log (run by runTypeScriptProcess): `streams` writers,
 * each appending `appends` times to its own stream, one or two events at a time. Prints the ids it saw
 * committed as one JSON line on stdout.
 * Arguments: url, stream prefix, streams, appends per stream.
 */
import { randomUUID } from 'node:crypto';
import { PostgresEventStore } from '../../../libs/event-store/src/postgres/postgres-event-store';
import type { EventToAppend } from '../../../libs/event-store/src/event-envelope';
import type { ExpectedRevision } from '../../../libs/event-store/src/event-store.port';

/** Events as the concurrent-append tests write them: one or two per append, small payloads. */
export function appendedEvents(index: number): EventToAppend[] {
  return Array.from({ length: 1 + (index % 2) }, (_, n) => ({
    eventId: randomUUID(),
    type: 'Counted',
    schemaVersion: 1,
    effectiveAt: '2026-03-26T00:00:00.000Z',
    data: { index, n },
    metadata: { actor: { name: 'appender', roles: [] }, correlationId: 'c', causationId: 'c' },
  }));
}

/** Appends `appends` times to each of `streams` streams, the streams concurrently; returns the committed ids. */
export async function appendConcurrently(
  store: PostgresEventStore,
  prefix: string,
  streams: number,
  appends: number,
): Promise<string[]> {
  const committed: string[] = [];
  await Promise.all(
    Array.from({ length: streams }, async (_, s) => {
      let expected: ExpectedRevision = 'no-stream';
      for (let i = 0; i < appends; i += 1) {
        const events = appendedEvents(i);
        const result = await store.append(`${prefix}-${s}`, events, expected);
        expected = result.revision;
        committed.push(...result.eventIds);
      }
    }),
  );
  return committed;
}

async function main(): Promise<void> {
  const [url, prefix, streams, appends] = process.argv.slice(2);
  const store = await PostgresEventStore.open(url!, { poolSize: 2 });
  try {
    const committed = await appendConcurrently(store, prefix!, Number(streams), Number(appends));
    process.stdout.write(`${JSON.stringify({ committed })}\n`);
  } finally {
    await store.close();
  }
}

// Run as a process by runTypeScriptProcess, which puts the entry's path in argv[1].
if (process.argv[1] === __filename) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
