import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A database of its own for one test file (or one test), on the run's PostgreSQL server. */
export interface TestDatabase {
  url: string;
  /** drops it, closing whatever connections are still open to it */
  drop(): Promise<void>;
}

/** The run's server, as test/support/postgres/global-setup.ts exported it to the workers. */
export function testPostgresUrl(): string {
  const url = process.env.LEDGER_TEST_POSTGRES_URL;
  if (!url) {
    throw new Error(
      'LEDGER_TEST_POSTGRES_URL is not set: run the tests through jest.config.js (its globalSetup starts a PostgreSQL) or set it to a server',
    );
  }
  return url;
}

async function asAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testPostgresUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates a fresh, empty database, so that suites run in parallel without seeing each other's data.
 * Copied from template0, which nobody connects to (template1 refuses to be copied while in use).
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `ledger_test_${randomBytes(8).toString('hex')}`;
  await asAdmin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`));
  const url = new URL(testPostgresUrl());
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop: () =>
      (dropped ??= asAdmin(async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      })),
  };
}
