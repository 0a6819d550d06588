import {
  decodeLogIndexState,
  encodeLogIndexState,
  foldLogIndex,
  LOG_INDEX,
  LOG_INDEX_TABLE,
} from '../audit/log-index';
import type { ProjectedEnvelope, ReadModel, TableDefinition, TableNames } from '../read-model';
import type { SqlDatabase, SqlReader, SqlTransaction, SqlValue, Statement } from '../sql/sql.port';
import { toBigInt } from '../sql/sql.port';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { DigestCheckpoint } from '@ledger/event-store';
import { IdempotencyRecords } from './idempotency-records';
import type { ProjectorLock } from './projector-lock';

/** A read model's progress: the last position it applied, with that event's recorded time. */
export interface Checkpoint {
  position: bigint;
  /** recorded time of the event at `position`: the floor for the next, which may not be earlier */
  recordedAt: string;
}

/** A projection or its write that failed on one event: the model stops there, the others go on. */
export interface ProjectionFailure {
  model: string;
  position: bigint;
  eventId: string;
  error: unknown;
}

export interface ApplyOptions {
  /** only these models (default: all) */
  models?: readonly string[];
  /** write the generation being rebuilt instead of the live one */
  building?: boolean;
}

/** What the active projector publishes for the processes that do not project (JSON: positions as strings). */
export interface PublishedProjectorState {
  owner: string;
  failures: Record<string, number>;
  parked: Record<
    string,
    { position: string; eventId: string; message: string; failures: number; retryAt: string }
  >;
  stoppedBecause?: string;
}

/** The databases of a store: what queries read, what the projector writes, what records keyed commands. */
export interface ReadModelDatabases {
  reader: SqlDatabase;
  writer: SqlDatabase;
  records: SqlDatabase;
}

/**
 * Tables of the ledger's own, besides the read models: which generation of each model is live (queries
 * reach it through views named by its logical tables), each generation's checkpoint, and the counter that
 * hands out generation numbers.
 */
const SYSTEM_TABLES = (d: SqlReader['dialect']) => [
  `CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS read_models (
     name TEXT PRIMARY KEY, generation ${d.bigint} NOT NULL, building_generation ${d.bigint})`,
  `CREATE TABLE IF NOT EXISTS read_model_checkpoints (
     name TEXT NOT NULL, generation ${d.bigint} NOT NULL, position ${d.bigint} NOT NULL,
     recorded_at TEXT NOT NULL, state TEXT, PRIMARY KEY (name, generation))`,
  `CREATE TABLE IF NOT EXISTS projector_state (id ${d.bigint} PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS read_model_tables (
     name TEXT NOT NULL, generation ${d.bigint} NOT NULL, logical TEXT NOT NULL, PRIMARY KEY (name, generation, logical))`,
];

/** Read models of the first release, in the file of every ledger written before generations existed. */
const LEGACY_TABLES = [
  'stockpile_participants_v1',
  'inventory_movements_v1',
  'supply_statistics_v1',
  'export_restrictions_v1',
  'export_restriction_scope_v1',
  'export_restriction_lifts_v1',
  'projects_v1',
  'project_stage_changes_v1',
  'project_capacities_v1',
  'project_financings_v1',
  'offtakes_v1',
  'offtake_terminations_v1',
  'offtake_deliveries_v1',
  'projection_checkpoints',
];

const physical = (logical: string, generation: bigint): string => `${logical}_g${generation}`;

/**
 * A secondary index that enforces nothing (not UNIQUE): a generation being rebuilt gets it after its bulk
 * load, in one sort, instead of one random insertion per row during it (several times slower on both
 * engines). Keys and unique constraints stay in CREATE TABLE, so conflicts are decided as before.
 */
const isSecondaryIndex = (statement: string): boolean => /^\s*CREATE\s+INDEX\b/i.test(statement);

/** A checkpoint as a transaction of `apply` or `applyPages` moves it; saved at the transaction's end. */
interface SessionCheckpoint {
  name: string;
  generation: bigint;
  position: bigint;
  recordedAt: string;
  /** whether the transaction moved it (then it is written) */
  moved: boolean;
  /** the log index's digest state */
  logIndex?: DigestCheckpoint;
}

/** What one transaction of `apply` or `applyPages` has read and moved so far. */
class ApplySession {
  generations: Map<string, unknown> | undefined;
  readonly checkpoints = new Map<string, SessionCheckpoint>();
}

/** The database refused a model's rows in a batch written without a savepoint per model. */
class RefusedWrite extends Error {
  constructor(override readonly cause: unknown) {
    super('a write was refused');
  }
}

interface ModelRow {
  name: string;
  generation: unknown;
  building_generation: unknown;
}

/**
 * The read-model store: the read models' tables in one SQL database (SQLite or PostgreSQL, through the
 * `SqlDatabase` port), their checkpoints, rebuilds beside the live version, and the Idempotency-Key records.
 *
 * Each model's tables exist in generations: `inventory_movements_g7` is generation 7 of the logical table
 * `inventory_movements`, and a view of that name points at the live generation. A rebuild writes a new
 * generation beside the live one and swaps the views in one transaction; readers never see a half-built
 * model, and a projector still writing the old generation notices the swap at its next batch.
 */
export class ReadModelStore {
  readonly idempotency: IdempotencyRecords;
  private readonly byName: ReadonlyMap<string, ReadModel>;
  /** what has tables, generations and a checkpoint: the read models and the log index */
  private readonly parts: readonly { name: string; tables: readonly TableDefinition[] }[];

  constructor(
    private readonly databases: ReadModelDatabases,
    readonly models: readonly ReadModel[],
    readonly lock: ProjectorLock,
    /** SQL that serialises migrations across processes, run first in their transaction */
    private readonly migrationLock?: string,
  ) {
    this.idempotency = new IdempotencyRecords(databases.records);
    this.byName = new Map(models.map((model) => [model.name, model]));
    this.parts = [...models, { name: LOG_INDEX, tables: [LOG_INDEX_TABLE] }];
  }

  /** Names of everything the projector keeps: the read models, then the log index. */
  get names(): string[] {
    return this.parts.map((part) => part.name);
  }

  /** What queries read: the live generation of every model, through its views. */
  get reader(): SqlReader {
    return this.databases.reader;
  }

  get dialect() {
    return this.databases.reader.dialect;
  }

  /**
   * Creates what is missing, at every start and in every mode (so queries never meet a missing table, even
   * before a projector ran): system tables, a first generation of each model, its views. Models no longer
   * in the code are retired with their tables. Safe when several processes start together.
   */
  async migrate(): Promise<void> {
    const d = this.dialect;
    await this.databases.writer.transaction(async (tx) => {
      if (this.migrationLock) await tx.run(this.migrationLock);
      for (const statement of SYSTEM_TABLES(d)) await tx.run(statement);
      for (const statement of IdempotencyRecords.ddl(d)) await tx.run(statement);
      for (const statement of this.lock.ddl(d)) await tx.run(statement);
      for (const table of LEGACY_TABLES) await tx.run(`DROP TABLE IF EXISTS ${table}`);
      const existing = await tx.all<ModelRow>(
        'SELECT name, generation, building_generation FROM read_models',
      );
      const known = new Set(this.names);
      for (const row of existing) {
        if (!known.has(row.name)) await this.retire(tx, row);
      }
      const present = new Set(existing.map((row) => row.name));
      for (const model of this.parts) {
        if (present.has(model.name)) continue;
        const generation = await this.nextGeneration(tx);
        await this.createTables(tx, model, generation);
        await this.pointViews(tx, model, generation);
        await tx.run('INSERT INTO read_models (name, generation) VALUES (?, ?)', [model.name, generation]);
        await tx.run(
          'INSERT INTO read_model_checkpoints (name, generation, position, recorded_at) VALUES (?, ?, 0, ?)',
          [model.name, generation, ''],
        );
      }
    });
  }

  private async nextGeneration(tx: SqlTransaction): Promise<bigint> {
    const row = await tx.get<{ value: string }>("SELECT value FROM ledger_meta WHERE key = 'generation'");
    const next = row ? BigInt(row.value) + 1n : 1n;
    await tx.run(
      `INSERT INTO ledger_meta (key, value) VALUES ('generation', ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [next.toString()],
    );
    return next;
  }

  private async createTables(
    tx: SqlTransaction,
    model: { name: string; tables: readonly TableDefinition[] },
    generation: bigint,
    { secondaryIndexes = true } = {},
  ): Promise<void> {
    for (const table of model.tables) {
      for (const statement of table.ddl(physical(table.name, generation), this.dialect)) {
        if (secondaryIndexes || !isSecondaryIndex(statement)) await tx.run(statement);
      }
      await tx.run(
        `INSERT INTO read_model_tables (name, generation, logical) VALUES (?, ?, ?)
         ON CONFLICT (name, generation, logical) DO NOTHING`,
        [model.name, generation, table.name],
      );
    }
  }

  private async dropTables(tx: SqlTransaction, name: string, generation: bigint): Promise<void> {
    const tables = await tx.all<{ logical: string }>(
      'SELECT logical FROM read_model_tables WHERE name = ? AND generation = ?',
      [name, generation],
    );
    for (const { logical } of tables) await tx.run(`DROP TABLE IF EXISTS ${physical(logical, generation)}`);
    await tx.run('DELETE FROM read_model_tables WHERE name = ? AND generation = ?', [name, generation]);
    await tx.run('DELETE FROM read_model_checkpoints WHERE name = ? AND generation = ?', [name, generation]);
  }

  private async pointViews(
    tx: SqlTransaction,
    model: { tables: readonly TableDefinition[] },
    generation: bigint,
  ): Promise<void> {
    for (const table of model.tables) {
      await tx.run(`DROP VIEW IF EXISTS ${table.name}`);
      await tx.run(`CREATE VIEW ${table.name} AS SELECT * FROM ${physical(table.name, generation)}`);
    }
  }

  /** A model the code no longer has (an older version): its views and tables go. */
  private async retire(tx: SqlTransaction, row: ModelRow): Promise<void> {
    const tables = await tx.all<{ logical: string }>(
      'SELECT DISTINCT logical FROM read_model_tables WHERE name = ?',
      [row.name],
    );
    for (const { logical } of tables) await tx.run(`DROP VIEW IF EXISTS ${logical}`);
    for (const generation of [row.generation, row.building_generation]) {
      if (generation !== null && generation !== undefined)
        await this.dropTables(tx, row.name, toBigInt(generation));
    }
    await tx.run('DELETE FROM read_models WHERE name = ?', [row.name]);
  }

  /** Live checkpoints by model name (or those of the generation being rebuilt). */
  async checkpoints(options: { building?: boolean } = {}): Promise<Map<string, Checkpoint>> {
    const rows = await this.databases.reader.all<{ name: string; position: unknown; recorded_at: string }>(
      `SELECT c.name, c.position, c.recorded_at FROM read_model_checkpoints c
         JOIN read_models m ON m.name = c.name
        WHERE c.generation = ${options.building ? 'm.building_generation' : 'm.generation'}`,
    );
    const checkpoints = new Map<string, Checkpoint>();
    const known = new Set(this.names);
    for (const row of rows) {
      if (known.has(row.name)) {
        checkpoints.set(row.name, { position: toBigInt(row.position), recordedAt: row.recorded_at });
      }
    }
    return checkpoints;
  }

  /**
   * Applies a batch of events (in position order) to the read models and moves their checkpoints, in one
   * transaction: a crash leaves every model exactly at a checkpoint, and an event at or below a model's
   * stored checkpoint is skipped, so a batch delivered twice (or by two projectors) counts once. A model
   * whose projection or write fails on an event stops just before it (the batch's writes are undone, then
   * written again model by model, the failing model's events one by one); the failure is returned and the
   * other models go on.
   */
  async apply(
    events: readonly ProjectedEnvelope[],
    options: ApplyOptions = {},
  ): Promise<ProjectionFailure[]> {
    if (events.length === 0) return [];
    return this.databases.writer.transaction(async (tx) => {
      const session = new ApplySession();
      const failures = await this.applyWithin(tx, session, events, options);
      await this.saveCheckpoints(tx, session);
      return failures;
    });
  }

  /**
   * Applies pages of events (in position order) as `apply` applies each, but several pages to a
   * transaction, of about `eventsPerTransaction` events: a rebuild reads small pages, whose objects die
   * young, and commits seldom, as each commit writes again every database page it touched (SQLite's
   * write-ahead log) or waits for a flush (PostgreSQL); checkpoints are read once per transaction and
   * written at its end. `onApplied` hears of each page once it is applied (committed with its transaction's
   * last). Stops after the first page a model fails on, with its failures; everything before is committed.
   * Yields to the event loop between transactions.
   */
  async applyPages(
    pages: AsyncIterable<readonly ProjectedEnvelope[]>,
    options: ApplyOptions & {
      eventsPerTransaction: number;
      onApplied?: (page: readonly ProjectedEnvelope[]) => void;
    },
  ): Promise<ProjectionFailure[]> {
    const iterator = pages[Symbol.asyncIterator]();
    let failures: ProjectionFailure[] = [];
    let exhausted = false;
    while (!exhausted && failures.length === 0) {
      await this.databases.writer.transaction(async (tx) => {
        const session = new ApplySession();
        for (let applied = 0; applied < options.eventsPerTransaction && failures.length === 0;) {
          const next = await iterator.next();
          if (next.done) {
            exhausted = true;
            break;
          }
          if (next.value.length === 0) continue;
          failures = await this.applyWithin(tx, session, next.value, options);
          applied += next.value.length;
          options.onApplied?.(next.value);
        }
        await this.saveCheckpoints(tx, session);
      });
      await yieldToEventLoop();
    }
    return failures;
  }

  /**
   * One batch inside a transaction. Every model's writes share one savepoint (two statements, not two per
   * model: round trips on PostgreSQL); when the database refuses a row, that savepoint is undone and the
   * batch written again with a savepoint per model, which finds the event and lets the others go on.
   */
  private async applyWithin(
    tx: SqlTransaction,
    session: ApplySession,
    events: readonly ProjectedEnvelope[],
    options: ApplyOptions,
  ): Promise<ProjectionFailure[]> {
    const targets = options.models
      ? this.models.filter((m) => options.models!.includes(m.name))
      : this.models;
    const withLogIndex = !options.models || options.models.includes(LOG_INDEX);
    session.generations ??= new Map(
      (await tx.all<ModelRow>('SELECT name, generation, building_generation FROM read_models')).map((row) => [
        row.name,
        options.building ? row.building_generation : row.generation,
      ]),
    );
    const models: { model: ReadModel; checkpoint: SessionCheckpoint }[] = [];
    for (const model of targets) {
      const checkpoint = await this.sessionCheckpoint(tx, session, model.name);
      if (checkpoint) models.push({ model, checkpoint });
    }
    const before = models.map(({ checkpoint }) => ({ ...checkpoint }));
    let failures: ProjectionFailure[];
    try {
      failures = await tx.savepoint(() => this.applyToModels(tx, models, events, false));
    } catch (error) {
      if (!(error instanceof RefusedWrite)) throw error;
      models.forEach(({ checkpoint }, index) => Object.assign(checkpoint, before[index]));
      failures = await this.applyToModels(tx, models, events, true);
    }
    const logIndex = withLogIndex ? await this.sessionCheckpoint(tx, session, LOG_INDEX) : undefined;
    if (logIndex) await this.applyToLogIndex(tx, logIndex, events);
    return failures;
  }

  /** A model's checkpoint as this transaction has it: read once, then moved in memory. */
  private async sessionCheckpoint(
    tx: SqlTransaction,
    session: ApplySession,
    name: string,
  ): Promise<SessionCheckpoint | undefined> {
    let checkpoint = session.checkpoints.get(name);
    if (checkpoint) return checkpoint;
    const generationValue = session.generations!.get(name);
    if (generationValue === null || generationValue === undefined) return undefined;
    const generation = toBigInt(generationValue);
    const stored = await tx.get<{ position: unknown; recorded_at: string; state: string | null }>(
      'SELECT position, recorded_at, state FROM read_model_checkpoints WHERE name = ? AND generation = ?',
      [name, generation],
    );
    const position = stored ? toBigInt(stored.position) : 0n;
    checkpoint = {
      name,
      generation,
      position,
      recordedAt: stored?.recorded_at ?? '',
      moved: false,
      ...(name === LOG_INDEX ? { logIndex: decodeLogIndexState(position, stored?.state) } : {}),
    };
    session.checkpoints.set(name, checkpoint);
    return checkpoint;
  }

  /** Writes the checkpoints the transaction moved: once per model and transaction. */
  private async saveCheckpoints(tx: SqlTransaction, session: ApplySession): Promise<void> {
    for (const checkpoint of session.checkpoints.values()) {
      if (!checkpoint.moved) continue;
      if (checkpoint.logIndex) {
        const state = checkpoint.logIndex;
        await tx.run(
          `UPDATE read_model_checkpoints SET position = ?, recorded_at = ?, state = ?
            WHERE name = ? AND generation = ?`,
          [
            state.position,
            state.recordedAt,
            encodeLogIndexState(state),
            checkpoint.name,
            checkpoint.generation,
          ],
        );
      } else {
        await tx.run(
          `UPDATE read_model_checkpoints SET position = ?, recorded_at = ? WHERE name = ? AND generation = ?`,
          [checkpoint.position, checkpoint.recordedAt, checkpoint.name, checkpoint.generation],
        );
      }
    }
  }

  private async applyToModels(
    tx: SqlTransaction,
    models: readonly { model: ReadModel; checkpoint: SessionCheckpoint }[],
    events: readonly ProjectedEnvelope[],
    isolated: boolean,
  ): Promise<ProjectionFailure[]> {
    const failures: ProjectionFailure[] = [];
    for (const { model, checkpoint } of models) {
      const fresh = events.filter((event) => event.position > checkpoint.position);
      if (fresh.length === 0) continue;
      const { applied, failure } = await this.applyToModel(tx, model, checkpoint.generation, fresh, isolated);
      if (applied > 0) {
        const last = fresh[applied - 1]!;
        Object.assign(checkpoint, { position: last.position, recordedAt: last.recordedAt, moved: true });
      }
      if (failure) failures.push(failure);
    }
    return failures;
  }

  /**
   * Projects the events (pure), then writes their rows. Not `isolated`, a refused write throws
   * `RefusedWrite` for the caller to undo the batch; `isolated`, the model's writes get a savepoint of their
   * own and a refused one is bisected to its event, the events before it written one savepoint each.
   */
  private async applyToModel(
    tx: SqlTransaction,
    model: ReadModel,
    generation: bigint,
    events: readonly ProjectedEnvelope[],
    isolated: boolean,
  ): Promise<{ applied: number; failure?: ProjectionFailure }> {
    const tables: TableNames = (logical) => physical(logical, generation);
    const accepts = (event: ProjectedEnvelope) =>
      model.category.entityIdOf(event.streamId) !== undefined &&
      (model.handles as readonly string[]).includes((event as { type?: string }).type ?? '');
    // Project first (pure); an event that makes the projection throw ends the batch for this model.
    const changes: unknown[][] = [];
    let failure: ProjectionFailure | undefined;
    let applied = 0;
    for (const event of events) {
      try {
        changes.push(accepts(event) ? (model.project as (e: ProjectedEnvelope) => unknown[])(event) : []);
        applied += 1;
      } catch (error) {
        failure = { model: model.name, position: event.position, eventId: event.eventId, error };
        break;
      }
    }
    const write = () =>
      tx.execute(model.write(changes.slice(0, applied).flat(), tables, this.dialect) as Statement[]);
    if (!isolated) {
      try {
        await write();
      } catch (error) {
        throw new RefusedWrite(error);
      }
      return failure ? { applied, failure } : { applied };
    }
    try {
      await tx.savepoint(write);
    } catch (error) {
      // Find the event whose rows the database refuses: the ones before it are written, one savepoint each.
      let written = 0;
      for (let index = 0; index < applied; index += 1) {
        try {
          await tx.savepoint(() =>
            tx.execute(model.write(changes[index]!, tables, this.dialect) as Statement[]),
          );
          written += 1;
        } catch (rowError) {
          failure = {
            model: model.name,
            position: events[index]!.position,
            eventId: events[index]!.eventId,
            error: rowError,
          };
          break;
        }
      }
      applied = written;
      failure ??= { model: model.name, position: events[0]!.position, eventId: events[0]!.eventId, error };
    }
    return failure ? { applied, failure } : { applied };
  }

  /** The log index folds every event in order; it cannot fail, so it needs no savepoint. */
  private async applyToLogIndex(
    tx: SqlTransaction,
    checkpoint: SessionCheckpoint,
    events: readonly ProjectedEnvelope[],
  ): Promise<void> {
    const from = checkpoint.logIndex!;
    const fresh = events.filter((event) => event.position > from.position);
    if (fresh.length === 0) return;
    const { state, statements } = foldLogIndex(from, fresh, (logical) =>
      physical(logical, checkpoint.generation),
    );
    await tx.execute(statements);
    Object.assign(checkpoint, {
      position: state.position,
      recordedAt: state.recordedAt,
      logIndex: state,
      moved: true,
    });
  }

  /**
   * Starts building a new generation of `models` beside the live one (dropping what an interrupted rebuild
   * left): empty tables with their keys but without their secondary indexes (`swapRebuild` adds them once
   * the rows are in), no views, a checkpoint at 0.
   */
  async beginRebuild(models: readonly string[]): Promise<void> {
    await this.databases.writer.transaction(async (tx) => {
      for (const name of models) {
        const model = this.model(name);
        const row = await tx.get<ModelRow>(
          'SELECT name, generation, building_generation FROM read_models WHERE name = ?',
          [name],
        );
        if (row?.building_generation !== null && row?.building_generation !== undefined) {
          await this.dropTables(tx, name, toBigInt(row.building_generation));
        }
        const generation = await this.nextGeneration(tx);
        await this.createTables(tx, model, generation, { secondaryIndexes: false });
        await tx.run('UPDATE read_models SET building_generation = ? WHERE name = ?', [generation, name]);
        await tx.run(
          'INSERT INTO read_model_checkpoints (name, generation, position, recorded_at) VALUES (?, ?, 0, ?)',
          [name, generation, ''],
        );
      }
    });
  }

  /**
   * Makes the rebuilt generations live: first their secondary indexes (one transaction per table, so that
   * no single one holds the write lock for long), then in one transaction views point at them and the old
   * tables go.
   */
  async swapRebuild(models: readonly string[]): Promise<void> {
    for (const name of models) await this.indexBuiltGeneration(name);
    await this.databases.writer.transaction(async (tx) => {
      for (const name of models) {
        const row = await tx.get<ModelRow>(
          'SELECT name, generation, building_generation FROM read_models WHERE name = ?',
          [name],
        );
        if (!row || row.building_generation === null || row.building_generation === undefined) {
          throw new Error(`no rebuild of ${name} to swap in`);
        }
        const live = toBigInt(row.generation);
        const built = toBigInt(row.building_generation);
        await this.pointViews(tx, this.model(name), built);
        await tx.run('UPDATE read_models SET generation = ?, building_generation = NULL WHERE name = ?', [
          built,
          name,
        ]);
        await this.dropTables(tx, name, live);
      }
    });
  }

  /** The secondary indexes `beginRebuild` left out, on the tables of `name`'s generation being built. */
  private async indexBuiltGeneration(name: string): Promise<void> {
    const row = await this.databases.writer.get<ModelRow>(
      'SELECT name, generation, building_generation FROM read_models WHERE name = ?',
      [name],
    );
    // no rebuild to index: the swap below refuses it, and everything with it
    if (row?.building_generation === null || row?.building_generation === undefined) return;
    const generation = toBigInt(row.building_generation);
    for (const table of this.model(name).tables) {
      const indexes = table.ddl(physical(table.name, generation), this.dialect).filter(isSecondaryIndex);
      if (indexes.length === 0) continue;
      await this.databases.writer.transaction(async (tx) => {
        for (const statement of indexes) await tx.run(statement);
      });
    }
  }

  private model(name: string): { name: string; tables: readonly TableDefinition[] } {
    const model = this.parts.find((part) => part.name === name);
    if (!model) throw new Error(`unknown read model ${name}`);
    return model;
  }

  /** Gives back the space the dropped generations left (SQLite's free pages); 0 where there is none. */
  async reclaimSpace(): Promise<number> {
    return (await this.databases.writer.reclaimSpace?.()) ?? 0;
  }

  /** The active projector's state as it last published it, for the processes that do not project. */
  async loadProjectorState(): Promise<PublishedProjectorState | undefined> {
    const row = await this.databases.reader.get<{ state: string }>(
      'SELECT state FROM projector_state WHERE id = 1',
    );
    return row ? (JSON.parse(row.state) as PublishedProjectorState) : undefined;
  }

  async saveProjectorState(state: PublishedProjectorState): Promise<void> {
    await this.databases.writer.run(
      `INSERT INTO projector_state (id, state, updated_at) VALUES (1, ?, ?)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      [JSON.stringify(state), new Date().toISOString()],
    );
  }

  /** Runs a statement on the writer connection: for the store's own maintenance (lock, status). */
  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.databases.writer.run(sql, params);
  }

  async close(): Promise<void> {
    await this.lock.close();
    const closed = new Set<SqlDatabase>();
    for (const database of [this.databases.reader, this.databases.writer, this.databases.records]) {
      if (closed.has(database)) continue;
      closed.add(database);
      await database.close();
    }
  }
}
