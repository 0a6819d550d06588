/**
 * The one place the read side meets a database: the read-model store adapters (`sqlite/`, `postgres/`)
 * implement this port, and everything above it (tables, writers, queries, the projector) is written once,
 * in the small SQL both engines share. Parameters are `?` placeholders in order; the PostgreSQL adapter
 * numbers them. Statements are prepared once per SQL text and connection.
 */

/** A value bound to a parameter: text, a 64-bit integer, or null. Never a JS float. */
export type SqlValue = string | bigint | number | null;

/** A row as the database returns it: integers and decimals may come back as bigint or as text. */
export type SqlRow = Record<string, unknown>;

/**
 * One statement run once per parameter row, inside a write transaction. An INSERT whose SQL has a single
 * `VALUES (?, ...)` tuple may be sent as one multi-row statement (PostgreSQL): its rows must then not hit
 * the same conflict key twice, which writers ensure by aggregating a batch per key first.
 */
export interface Statement {
  sql: string;
  rows: SqlValue[][];
}

/** What differs between the two engines, as far as tables and queries need to know. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** column type of a 64-bit integer (positions, years) */
  readonly bigint: string;
  /** column type of an exact decimal of any size (grams, minor units): TEXT with our own sums, or NUMERIC */
  readonly decimal: string;
  /** an exact sum of a decimal column, as text */
  sum(expression: string): string;
  /** an exact sum of two decimal expressions */
  add(left: string, right: string): string;
  /** the larger of two values (SQLite's scalar MAX, PostgreSQL's GREATEST) */
  greatest(left: string, right: string): string;
  /** the smaller of two values */
  least(left: string, right: string): string;
}

/** Reads, outside any transaction of the caller's. */
export interface SqlReader {
  readonly dialect: SqlDialect;
  all<Row = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /**
   * The rows as arrays of their columns, in the order the statement names them: for pages of many rows,
   * where making an object of each row costs more than reading it (a third of a page of 1,000 balances).
   */
  tuples<Row extends readonly unknown[]>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  get<Row = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<Row | undefined>;
}

/** Reads and writes inside one transaction. */
export interface SqlTransaction extends SqlReader {
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  execute(statements: readonly Statement[]): Promise<void>;
  /** `work` inside a savepoint: when it throws, only what it wrote is undone and the transaction goes on */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
}

export interface SqlDatabase extends SqlReader {
  /** a single statement in a transaction of its own; resolves to the number of rows it changed */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /** DDL and other statements without parameters, in order */
  exec(sql: string): Promise<void>;
  /**
   * Runs `work` in one write transaction: committed when it resolves, rolled back when it throws. On
   * SQLite the transaction takes the file's write lock at once (BEGIN IMMEDIATE).
   */
  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T>;
  /** gives back free space left by dropped tables, where the engine keeps it (SQLite); bytes given back */
  reclaimSpace?(): Promise<number>;
  close(): Promise<void>;
}

/** Reads a bigint out of whatever the driver returned (bigint, numeric text or a small number). */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'string' || (typeof value === 'number' && Number.isSafeInteger(value))) {
    return BigInt(value);
  }
  throw new TypeError(`not an exact integer: ${String(value)}`);
}

/** The same for a column that may be NULL. */
export const toBigIntOrNull = (value: unknown): bigint | null =>
  value === null || value === undefined ? null : toBigInt(value);
