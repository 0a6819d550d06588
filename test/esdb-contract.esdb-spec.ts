// Against a REAL EventStoreDB / KurrentDB server: `npm run test:esdb` with EVENTSTORE_CONNECTION_STRING set
// (e.g. `docker compose up eventstore`, then esdb://localhost:2113?tls=false). Never part of `npm test`.
import { EventStoreDbEventStore } from '../libs/event-store/src/eventstoredb/eventstoredb-event-store';
import { eventStoreContract } from '../libs/event-store/src/testing/event-store.contract';
import { isolatedView } from './support/isolated-event-store';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  // The server's log is shared and outlives the run: each test sees a private, empty-looking view of it.
  eventStoreContract(
    `EventStoreDB adapter against ${connectionString}`,
    async () => isolatedView(new EventStoreDbEventStore(connectionString)),
    undefined,
    // the server does not order concurrent gRPC calls
    { ordersPipelinedAppends: false },
  );
} else {
  console.warn(
    'EVENTSTORE_CONNECTION_STRING is not set: the contract suite against a real EventStoreDB is skipped. ' +
      'Run `docker compose up eventstore` and set EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false',
  );
  describe.skip('EventStore contract against a real EventStoreDB (set EVENTSTORE_CONNECTION_STRING)', () => {
    it('needs a server', () => undefined);
  });
}
