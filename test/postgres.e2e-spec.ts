import { feedScenarios } from './support/feed-scenarios';
import { stockpileScenarios } from './support/stockpile-scenarios';
import { createTestDatabase } from './support/postgres/test-database';

// The HTTP end-to-end scenarios once more, with the API on the PostgreSQL event store
// (LEDGER_EVENT_STORE=postgres://...), a fresh database on the run's real server for every test.
const onPostgres = async () => {
  const database = await createTestDatabase();
  return { env: { LEDGER_EVENT_STORE: database.url }, teardown: () => database.drop() };
};
stockpileScenarios('Stockpiles over HTTP, on PostgreSQL', onPostgres);
feedScenarios('The feed over HTTP, on PostgreSQL', onPostgres);
