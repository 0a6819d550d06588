import { createHash } from 'node:crypto';
import { Pool, type PoolClient, type PoolConfig } from 'pg';
import type { SqlDatabase, SqlDialect, SqlRow, SqlTransaction, SqlValue, Statement } from '../sql/sql.port';

/** PostgreSQL keeps decimals exactly in NUMERIC; its SUM of NUMERIC is exact at any size. */
export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  bigint: 'BIGINT',
  decimal: 'NUMERIC',
  sum: (expression) => `COALESCE(SUM(${expression}), 0)::text`,
  add: (left, right) => `(${left} + ${right})`,
  greatest: (left, right) => `GREATEST(${left}, ${right})`,
  least: (left, right) => `LEAST(${left}, ${right})`,
};

/** PostgreSQL takes at most 65535 parameters in one statement. */
const MAX_PARAMETERS = 60_000;

/** `?` placeholders (outside quoted text) numbered as PostgreSQL wants them: `$1`, `$2`, ... */
export function numberPlaceholders(sql: string, offset = 0): string {
  let out = '';
  let count = offset;
  let quote: string | undefined;
  for (const char of sql) {
    if (quote) {
      if (char === quote) quote = undefined;
      out += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      out += char;
    } else if (char === '?') {
      count += 1;
      out += `$${count}`;
    } else {
      out += char;
    }
  }
  return out;
}

/** The `(?, ?, ...)` tuple after VALUES, which a multi-row insert repeats. */
const VALUES_TUPLE = /\bVALUES\s*(\((?:\s*\?\s*,)*\s*\?\s*\))/i;

const toParameter = (value: SqlValue): string | number | null =>
  typeof value === 'bigint' ? value.toString() : value;

interface Prepared {
  name: string;
  text: string;
}

/** A pool of connections to the read-model database; statements are prepared once per connection. */
export class PostgresSqlDatabase implements SqlDatabase {
  readonly dialect = POSTGRES_DIALECT;
  private readonly prepared = new Map<string, Prepared>();
  private savepoints = 0;

  constructor(readonly pool: Pool) {}

  static open(url: string, options: Omit<PoolConfig, 'connectionString'> = {}): PostgresSqlDatabase {
    const pool = new Pool({ connectionString: url, max: 8, ...options });
    // an idle client that lost its server must not crash the process; the next query reconnects
    pool.on('error', () => undefined);
    return new PostgresSqlDatabase(pool);
  }

  private statement(sql: string): Prepared {
    let prepared = this.prepared.get(sql);
    if (!prepared) {
      const name = `l${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`;
      prepared = { name, text: numberPlaceholders(sql) };
      this.prepared.set(sql, prepared);
    }
    return prepared;
  }

  private async query<Row>(
    client: Pool | PoolClient,
    sql: string,
    params: readonly SqlValue[],
  ): Promise<{ rows: Row[]; rowCount: number }> {
    const { name, text } = this.statement(sql);
    const result = await client.query({ name, text, values: params.map(toParameter) });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  }

  async all<Row = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return (await this.query<Row>(this.pool, sql, params)).rows;
  }

  async get<Row = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<Row | undefined> {
    return (await this.query<Row>(this.pool, sql, params)).rows[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return (await this.query(this.pool, sql, params)).rowCount;
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: SqlTransaction = {
      dialect: this.dialect,
      all: async (sql, params = []) => (await this.query<never>(client, sql, params)).rows,
      get: async (sql, params = []) => (await this.query<never>(client, sql, params)).rows[0],
      run: async (sql, params = []) => (await this.query(client, sql, params)).rowCount,
      execute: (statements) => this.execute(client, statements),
      savepoint: async (inner) => {
        const name = `sp${(this.savepoints += 1)}`;
        await client.query(`SAVEPOINT ${name}`);
        try {
          const result = await inner();
          await client.query(`RELEASE SAVEPOINT ${name}`);
          return result;
        } catch (error) {
          await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
          await client.query(`RELEASE SAVEPOINT ${name}`);
          throw error;
        }
      },
    };
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // a connection in an unknown state is not returned to the pool
      client.release(true);
      throw error;
    }
  }

  /** Inserts go as multi-row statements (one round trip per few thousand rows); the rest row by row. */
  private async execute(client: PoolClient, statements: readonly Statement[]): Promise<void> {
    for (const { sql, rows } of statements) {
      if (rows.length === 0) continue;
      const tuple = VALUES_TUPLE.exec(sql);
      if (!tuple || rows.length === 1) {
        for (const row of rows) await this.query(client, sql, row);
        continue;
      }
      const width = rows[0]!.length;
      const perStatement = Math.max(1, Math.floor(MAX_PARAMETERS / width));
      for (let start = 0; start < rows.length; start += perStatement) {
        const chunk = rows.slice(start, start + perStatement);
        const tuples = chunk.map(() => tuple[1]).join(', ');
        const text = numberPlaceholders(sql.replace(tuple[1]!, tuples));
        // chunks of the same size reuse one prepared statement
        const name = `m${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
        await client.query({ name, text, values: chunk.flat().map(toParameter) });
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
