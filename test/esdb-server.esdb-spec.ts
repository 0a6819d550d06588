// The HTTP end-to-end scenarios against a REAL EventStoreDB / KurrentDB server: `npm run test:esdb` with
// EVENTSTORE_CONNECTION_STRING set (e.g. `docker compose up eventstore`). Never part of `npm test`.
import { randomUUID } from 'node:crypto';
import { stockpileScenarios } from './support/stockpile-scenarios';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  // The server keeps every earlier run's events: each test works on a stockpile and keys of its own.
  stockpileScenarios(`Stockpiles over HTTP, on EventStoreDB at ${connectionString}`, async () => ({
    env: { LEDGER_EVENT_STORE: connectionString },
    unique: `-${randomUUID().slice(0, 8)}`,
  }));
} else {
  console.warn(
    'EVENTSTORE_CONNECTION_STRING is not set: the end-to-end suite against a real EventStoreDB is skipped. ' +
      'Run `docker compose up eventstore` and set EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false',
  );
  describe.skip('Stockpiles over HTTP on a real EventStoreDB (set EVENTSTORE_CONNECTION_STRING)', () => {
    it('needs a server', () => undefined);
  });
}
