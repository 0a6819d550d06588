import Database from 'better-sqlite3';
import { openSqliteDatabase } from '@ledger/event-store';
import { resolve } from 'node:path';
import type { SqlDatabase, SqlDialect, SqlRow, SqlTransaction, SqlValue, Statement } from '../sql/sql.port';

/**
 * SQLite has no exact decimal type, so decimals are TEXT and summed by functions of our own, in bigint:
 * `dec_add(a, b)` and the aggregate `dec_sum(x)`. They never overflow and never round.
 */
export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  bigint: 'INTEGER',
  decimal: 'TEXT',
  sum: (expression) => `dec_sum(${expression})`,
  add: (left, right) => `dec_add(${left}, ${right})`,
  greatest: (left, right) => `MAX(${left}, ${right})`,
  least: (left, right) => `MIN(${left}, ${right})`,
};

/** The `(?, ?, ...)` tuple after VALUES, which a multi-row insert repeats. */
const VALUES_TUPLE = /\bVALUES\s*(\((?:\s*\?\s*,)*\s*\?\s*\))/i;

/** Rows per multi-row insert, largest first; fewer rows than the smallest go one by one. */
const MULTI_ROW_SIZES = [64, 16, 4];

/** Parameters of one statement at most (SQLite's limit is 32766 since 3.32). */
const MAX_PARAMETERS = 32_766;

const exact = (value: unknown): bigint =>
  value === null || value === undefined ? 0n : BigInt(value as bigint | string);

export interface SqliteSqlOptions {
  /**
   * `NORMAL` suits a connection that writes only derived data (read models with their checkpoints, in one
   * transaction): a power cut may undo its last commits, which are then simply projected again. `FULL`
   * (the default) for what must survive one: Idempotency-Key records.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** page cache of the connection in MiB (SQLite's default is 2) */
  cacheMiB?: number;
}

/**
 * The writes of every connection this process holds to one file, in one queue. A write transaction of
 * this adapter stays open across awaits (its work is async, like PostgreSQL's); a write on another
 * connection to the same file meanwhile would wait for SQLite's lock synchronously, blocking the very
 * event loop the open transaction needs to finish: a deadlock until the busy timeout. Queued, the second
 * write simply runs after the first commits.
 */
class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => T | Promise<T>): Promise<T> {
    const next = this.tail.then(work, work);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

const queuesByFile = new Map<string, WriteQueue>();

/** One connection to the ledger's SQLite file, with its prepared statements. */
export class SqliteSqlDatabase implements SqlDatabase {
  readonly dialect = SQLITE_DIALECT;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly writes: WriteQueue;
  private savepoints = 0;

  constructor(
    private readonly db: Database.Database,
    file = ':memory:',
  ) {
    let queue = file === ':memory:' ? undefined : queuesByFile.get(file);
    if (!queue) {
      queue = new WriteQueue();
      if (file !== ':memory:') queuesByFile.set(file, queue);
    }
    this.writes = queue;
    db.function('dec_add', { deterministic: true, safeIntegers: true }, (left: unknown, right: unknown) =>
      (exact(left) + exact(right)).toString(),
    );
    db.aggregate('dec_sum', {
      deterministic: true,
      safeIntegers: true,
      start: () => 0n,
      step: (total: bigint, value: unknown) => (value === null ? total : total + exact(value)),
      result: (total: bigint) => total.toString(),
    });
  }

  static open(file: string, options: SqliteSqlOptions = {}): SqliteSqlDatabase {
    // the same file settings as the event store's connections (WAL, reclaimable free pages, busy timeout)
    const db = openSqliteDatabase(file, { synchronous: options.synchronous ?? 'FULL' });
    if (options.cacheMiB !== undefined) db.pragma(`cache_size = -${Math.round(options.cacheMiB * 1024)}`);
    return new SqliteSqlDatabase(db, file === ':memory:' ? file : resolve(file));
  }

  private prepared(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (statement.reader) statement.safeIntegers(true);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private allNow<Row>(sql: string, params: readonly SqlValue[]): Row[] {
    return this.prepared(sql).all(...params) as Row[];
  }

  async all<Row = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    return this.allNow<Row>(sql, params);
  }

  private tuplesNow<Row>(sql: string, params: readonly SqlValue[]): Row[] {
    // raw mode belongs to the cached statement, so it is set for this call only (nothing runs between)
    const statement = this.prepared(sql).raw(true);
    try {
      return statement.all(...params) as Row[];
    } finally {
      statement.raw(false);
    }
  }

  async tuples<Row extends readonly unknown[]>(
    sql: string,
    params: readonly SqlValue[] = [],
  ): Promise<Row[]> {
    return this.tuplesNow<Row>(sql, params);
  }

  async get<Row = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<Row | undefined> {
    return this.prepared(sql).get(...params) as Row | undefined;
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.serially(() => this.prepared(sql).run(...params).changes);
  }

  exec(sql: string): Promise<void> {
    return this.serially(() => {
      this.db.exec(sql);
    });
  }

  transaction<T>(work: (tx: SqlTransaction) => Promise<T>): Promise<T> {
    return this.serially(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      const tx: SqlTransaction = {
        dialect: this.dialect,
        all: async (sql, params = []) => this.allNow(sql, params),
        tuples: async (sql, params = []) => this.tuplesNow(sql, params),
        get: async (sql, params = []) => this.prepared(sql).get(...params) as never,
        run: async (sql, params = []) => this.prepared(sql).run(...params).changes,
        execute: async (statements) => this.executeNow(statements),
        savepoint: async (inner) => {
          const name = `sp${(this.savepoints += 1)}`;
          this.db.exec(`SAVEPOINT ${name}`);
          try {
            const result = await inner();
            this.db.exec(`RELEASE ${name}`);
            return result;
          } catch (error) {
            this.db.exec(`ROLLBACK TO ${name}`);
            this.db.exec(`RELEASE ${name}`);
            throw error;
          }
        },
      };
      try {
        const result = await work(tx);
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  /**
   * Inserts of many rows go as multi-row statements of 64, then 16, then 4 rows (one prepared statement
   * each), the last few row by row: a third less time than a statement per row, mostly the cost of starting
   * each one. SQLite applies a multi-row insert's rows in order, each with its own conflict check, exactly
   * as the same rows one by one.
   */
  private executeNow(statements: readonly Statement[]): void {
    for (const { sql, rows } of statements) {
      const tuple = rows.length >= MULTI_ROW_SIZES.at(-1)! ? VALUES_TUPLE.exec(sql) : null;
      let next = 0;
      if (tuple) {
        const width = rows[0]!.length;
        for (const size of MULTI_ROW_SIZES) {
          if (rows.length - next < size || size * width > MAX_PARAMETERS) continue;
          const statement = this.prepared(sql.replace(tuple[1]!, Array(size).fill(tuple[1]).join(', ')));
          const parameters: SqlValue[] = new Array(size * width);
          for (; rows.length - next >= size; next += size) {
            for (let row = 0; row < size; row += 1) {
              const values = rows[next + row]!;
              for (let column = 0; column < width; column += 1) {
                parameters[row * width + column] = values[column]!;
              }
            }
            statement.run(parameters);
          }
        }
      }
      if (next === rows.length) continue;
      const statement = this.prepared(sql);
      for (; next < rows.length; next += 1) statement.run(rows[next]!);
    }
  }

  private serially<T>(work: () => T | Promise<T>): Promise<T> {
    return this.writes.run(work);
  }

  /**
   * Gives the file's free pages back to the file system. Ledgers created by this version keep freed pages
   * reclaimable (auto_vacuum=INCREMENTAL), which costs no more than the pages themselves and blocks no
   * reader; an older file is converted once by a full VACUUM, which needs a moment without other writers.
   */
  reclaimSpace(): Promise<number> {
    return this.serially(() => {
      const pageSize = Number(this.db.pragma('page_size', { simple: true }));
      const before = Number(this.db.pragma('freelist_count', { simple: true }));
      if (before === 0) return 0;
      if (Number(this.db.pragma('auto_vacuum', { simple: true })) === 2) {
        this.db.pragma('incremental_vacuum');
      } else {
        this.db.pragma('auto_vacuum = INCREMENTAL');
        this.db.exec('VACUUM');
      }
      const after = Number(this.db.pragma('freelist_count', { simple: true }));
      return (before - after) * pageSize;
    });
  }

  /** Runs synchronously on the connection: for pragmas and maintenance that must not interleave. */
  pragma(source: string): unknown {
    return this.db.pragma(source);
  }

  async close(): Promise<void> {
    await this.writes.run(() => undefined);
    this.statements.clear();
    this.db.close();
  }
}
