import { EsdbTestDouble } from './support/esdb-double/esdb-test-double';
import { feedScenarios } from './support/feed-scenarios';
import { stockpileScenarios } from './support/stockpile-scenarios';

// The HTTP end-to-end scenarios once more, with the API on the EventStoreDB adapter. The server is the
// gRPC TEST DOUBLE (test/support/esdb-double), fresh for every test; it advertises BatchAppend, as
// EventStoreDB 21.10 and later do, so the client appends the way it would in production.
const onEsdbDouble = async () => {
  const double = await EsdbTestDouble.start({ batchAppend: true });
  return { env: { LEDGER_EVENT_STORE: double.connectionString() }, teardown: () => double.stop() };
};
stockpileScenarios('Stockpiles over HTTP, on EventStoreDB (gRPC test double)', onEsdbDouble);
feedScenarios('The feed over HTTP, on EventStoreDB (gRPC test double)', onEsdbDouble);
