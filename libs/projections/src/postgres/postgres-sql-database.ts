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

/** `INSERT INTO table (columns) VALUES (?, ...)`: an insert whose rows can go as one array per column. */
const INSERT_VALUES =
  /^\s*INSERT\s+INTO\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)\s*VALUES\s*\((?:\s*\?\s*,)*\s*\?\s*\)/i;

/**
 * One column's values as a PostgreSQL array literal (`{"a","b",NULL}`): every element quoted, so that
 * commas, braces and spaces in texts are plain characters; only `"` and `\` need a backslash.
 */
function arrayLiteral(values: readonly SqlValue[]): string {
  let literal = '{';
  for (let index = 0; index < values.length; index += 1) {
    if (index > 0) literal += ',';
    const value = values[index];
    if (value === null || value === undefined) {
      literal += 'NULL';
      continue;
    }
    const text = typeof value === 'string' ? value : value.toString();
    literal += `"${/["\\]/.test(text) ? text.replace(/["\\]/g, '\\$&') : text}"`;
  }
  return `${literal}}`;
}

const toParameter = (value: SqlValue): string | number | null =>
  typeof value === 'bigint' ? value.toString() : value;

interface Prepared {
  name: string;
  text: string;
}

/** A multi-row insert as one array per column, with the columns' types (`execute`). */
interface ArrayInsert extends Prepared {
  types: string[];
}

/** A pool of connections to the read-model database; statements are prepared once per connection. */
export class PostgresSqlDatabase implements SqlDatabase {
  readonly dialect = POSTGRES_DIALECT;
  private readonly prepared = new Map<string, Prepared>();
  /**
   * By insert text: its unnest form, or undefined when it has none. A physical table's name is never
   * reused for other columns (a generation's number is new), so the types looked up once stay right.
   */
  private readonly arrayInserts = new Map<string, ArrayInsert | undefined>();
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
    rowMode?: 'array',
  ): Promise<{ rows: Row[]; rowCount: number }> {
    const { name, text } = this.statement(sql);
    const result = await client.query({
      name,
      text,
      values: params.map(toParameter),
      ...(rowMode === undefined ? {} : { rowMode }),
    });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  }

  async all<Row = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return (await this.query<Row>(this.pool, sql, params)).rows;
  }

  async tuples<Row extends readonly unknown[]>(
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<Row[]> {
    return (await this.query<Row>(this.pool, sql, params, 'array')).rows;
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
      tuples: async (sql, params = []) => (await this.query<never>(client, sql, params, 'array')).rows,
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

  /**
   * An insert of several rows goes as one statement whatever their number: `INSERT ... SELECT * FROM
   * unnest($1::type[], ...)`, one array per column. Its text is the same for every batch, so it is prepared
   * once, and the server reads arrays much faster than it plans thousands of placeholders; conflicts are
   * decided row by row as for VALUES. The rest go row by row.
   */
  private async execute(client: PoolClient, statements: readonly Statement[]): Promise<void> {
    for (const { sql, rows } of statements) {
      if (rows.length === 0) continue;
      const insert = rows.length > 1 ? await this.arrayInsert(client, sql) : undefined;
      if (!insert) {
        for (const row of rows) await this.query(client, sql, row);
        continue;
      }
      const columns: SqlValue[][] = insert.types.map(() => new Array<SqlValue>(rows.length));
      for (let row = 0; row < rows.length; row += 1) {
        const values = rows[row]!;
        for (let column = 0; column < columns.length; column += 1) columns[column]![row] = values[column]!;
      }
      await client.query({ name: insert.name, text: insert.text, values: columns.map(arrayLiteral) });
    }
  }

  /** The unnest form of a multi-row insert (see `execute`); undefined for any other statement. */
  private async arrayInsert(client: PoolClient, sql: string): Promise<ArrayInsert | undefined> {
    if (this.arrayInserts.has(sql)) return this.arrayInserts.get(sql);
    const match = INSERT_VALUES.exec(sql);
    const rest = match ? sql.slice(match[0].length) : '';
    let insert: ArrayInsert | undefined;
    if (match && !rest.includes('?')) {
      const [, table, columnList] = match;
      const columns = columnList!.split(',').map((column) => column.trim());
      const types = await this.columnTypes(client, table!);
      // no such table (yet): row by row, where the insert fails as it should; asked again next time
      if (types.size === 0) return undefined;
      if (columns.every((column) => types.has(column))) {
        const arrays = columns.map((column, index) => `$${index + 1}::${types.get(column)}[]`);
        const text = `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')})${rest}`;
        insert = {
          name: `u${createHash('sha1').update(text).digest('hex').slice(0, 20)}`,
          text,
          types: columns.map((column) => types.get(column)!),
        };
      }
    }
    this.arrayInserts.set(sql, insert);
    return insert;
  }

  /** A table's column types from the catalog, as `format_type` spells them. */
  private async columnTypes(client: PoolClient, table: string): Promise<Map<string, string>> {
    const { rows } = await client.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
      [table],
    );
    return new Map(rows.map((row) => [row.name, row.type]));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
