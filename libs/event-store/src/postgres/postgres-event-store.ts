import { EventEmitter } from 'node:events';
import { Client, type CustomTypesConfig, Pool, type QueryConfig, type QueryResultRow, types } from 'pg';
import { canonicalJson } from '../canonical-json';
import { pollingSubscription } from '../polling-subscription';
import type { EventToAppend, RecordedEvent, RecordedOrStoredEvent, StoredEvent } from '../event-envelope';
import {
  type AppendResult,
  DuplicateEventIdError,
  type EventStore,
  type ExpectedRevision,
  type ImportRefusal,
  ImportRefusedError,
  type ImportResult,
  type ReadAllOptions,
  StoreUnavailableError,
  type SubscribeOptions,
  type Subscription,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { canonicalContent, checkRecordedAt } from '../recorded-import';
import {
  APPENDED_CHANNEL,
  applyMigrations,
  EVENT_STORE_MIGRATIONS,
  IMPORT_REFUSED_SQLSTATE,
} from './postgres-migrations';

interface EventRow {
  position: bigint;
  event_id: string;
  stream_id: string;
  revision: bigint;
  type: string;
  schema_version: number;
  recorded_at: string;
  effective_at: string;
  data: string;
  metadata: string;
}

const COLUMNS =
  'position, event_id, stream_id, revision, type, schema_version, recorded_at, effective_at, data, metadata';

/** What `ledger_append_events` reports for one append of a group (64-bit numbers as strings). */
type AppendOutcome =
  | { revision: string; position: string; deduplicated: boolean }
  | { error: 'wrong-expected-revision'; actual: string | null }
  | { error: 'duplicate-event-id'; eventId: string };

interface PendingAppend {
  streamId: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
  /** this append as one element of the group's JSON batch, encoded once when it was requested */
  encoded: string;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

/** The LISTEN connection's loop: `client` while connected, `wake` while pausing before a reconnect. */
interface Listener {
  done: Promise<void>;
  client?: Client | undefined;
  wake?: (() => void) | undefined;
}

export interface PostgresEventStoreOptions {
  /** connections in the pool (default 10); appends use one at a time, reads and subscriptions the rest */
  poolSize?: number;
  /** subscribers' poll interval while the LISTEN connection is down (default 200 ms) */
  pollIntervalMs?: number;
  /** subscribers' poll interval while LISTEN is up, a safety net only (default 2000 ms) */
  listeningPollIntervalMs?: number;
  /** how long to wait for a connection before the store counts as unavailable (default 5000 ms) */
  connectTimeoutMs?: number;
}

/** The schema's component name in `ledger_migrations`. */
export const EVENT_STORE_COMPONENT = 'event-store';

const RETRY_PAUSE_MS = 500;
const LISTEN_RETRY_MIN_MS = 100;
const LISTEN_RETRY_MAX_MS = 5000;
/** A group's size in events at most: bounds one transaction's duration and the batch's size. */
const MAX_GROUP_EVENTS = 2000;

/**
 * 64-bit integers arrive as BigInt, never through a JS number. Scoped to this store's connections rather
 * than set on pg's global parsers, which other code in the process may rely on.
 */
const INT8_AS_BIGINT: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.INT8 && format !== 'binary'
      ? (value: string) => BigInt(value)
      : types.getTypeParser(oid, format)) as CustomTypesConfig['getTypeParser'],
};

const toRecorded = (row: EventRow): RecordedEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  type: row.type,
  schemaVersion: row.schema_version,
  recordedAt: row.recorded_at,
  effectiveAt: row.effective_at,
  data: JSON.parse(row.data),
  metadata: JSON.parse(row.metadata),
});

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * The server cannot be reached, is shutting down, or is out of connections or resources: the caller may
 * retry as it was. SQLSTATE classes 08 (connection exception), 53 (insufficient resources) and 57P
 * (shutdown, cannot connect now).
 */
function isUnavailable(error: unknown): boolean {
  // Duck-typed: errors raised by Node's own sockets may come from another realm (a Jest sandbox, a vm).
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, errors } = error as { code?: unknown; message?: unknown; errors?: unknown };
  if (Array.isArray(errors) && errors.some(isUnavailable)) return true;
  if (typeof code === 'string' && (NETWORK_ERROR_CODES.has(code) || /^(08|53|57P)/.test(code))) return true;
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|not queryable/i.test(message)
  );
}

function toStoreError(operation: string, error: unknown): unknown {
  if (!isUnavailable(error)) return error;
  const message = (error as { message?: unknown }).message ?? String(error);
  return new StoreUnavailableError(`PostgreSQL ${operation} failed: ${message}`, { cause: error });
}

/** The first id that occurs twice in one append; such an append reuses an id, like SQLite reports it. */
function repeatedId(events: EventToAppend[]): string | undefined {
  const seen = new Set<string>();
  for (const { eventId } of events) {
    if (seen.has(eventId)) return eventId;
    seen.add(eventId);
  }
  return undefined;
}

const encodeAppend = (streamId: string, events: EventToAppend[], expected: ExpectedRevision): string =>
  JSON.stringify({
    s: streamId,
    x: typeof expected === 'bigint' ? expected.toString() : expected,
    // the hash the first event links to: the stream's last stored event must carry it
    p: typeof events[0]?.metadata.prevHash === 'string' ? events[0].metadata.prevHash : null,
    // data and metadata travel as strings holding their canonical text, stored byte for byte
    e: events.map((event) => ({
      i: event.eventId,
      t: event.type,
      v: event.schemaVersion,
      a: event.effectiveAt,
      d: canonicalJson(event.data),
      m: canonicalJson(event.metadata),
    })),
  });

/** An import's batch for `ledger_import_events`: data and metadata as their canonical text. */
const encodeImport = (events: RecordedOrStoredEvent[]): string =>
  JSON.stringify(
    events.map((event) => {
      const [data, metadata] = canonicalContent(event);
      return {
        i: event.eventId,
        s: event.streamId,
        r: event.revision.toString(),
        t: event.type,
        v: event.schemaVersion,
        a: event.effectiveAt,
        at: event.recordedAt,
        d: data,
        m: metadata,
      };
    }),
  );

/** The port's refusal for the one `ledger_import_events` raises; undefined for any other error. */
function importRefusalOf(error: unknown): ImportRefusedError | undefined {
  const { code, detail, message } = (error ?? {}) as { code?: unknown; detail?: unknown; message?: unknown };
  if (code !== IMPORT_REFUSED_SQLSTATE || typeof detail !== 'string') return undefined;
  const { kind, eventId } = JSON.parse(detail) as { kind: ImportRefusal; eventId: string };
  return new ImportRefusedError(kind, eventId, String(message));
}

/**
 * The distributed event store on PostgreSQL (`LEDGER_EVENT_STORE=postgres://...`): the same table and
 * semantics as the embedded SQLite store, shared by any number of processes.
 *
 * Global order. Every append transaction takes one advisory lock and numbers its events after the last
 * stored position, so positions are dense (1..N, as on SQLite) and become visible strictly in position
 * order: a catch-up reader never passes a position below which an event may still commit.
 *
 * Group commit. Appends requested while the event loop was busy, or while the previous group was in
 * flight, go to the server as one batch: one statement, one transaction, one WAL flush, one round trip.
 * Groups leave one at a time, so appends of one process commit in the order they were requested, and an
 * append may extend a stream whose previous append has not been acknowledged yet.
 *
 * Subscribers wake on LISTEN/NOTIFY (a dedicated connection that reconnects) and also poll, slowly while
 * LISTEN works and quickly while it does not.
 */
export class PostgresEventStore implements EventStore {
  /** Groups leave one at a time and commit their appends in the order requested. */
  readonly ordersAppendsPerStream = true;
  /** Positions are 1..N, handed out under the append lock. */
  readonly positionsAreDense = true;
  private readonly pool: Pool;
  private readonly appended = new EventEmitter();
  private readonly pending: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private readonly pollIntervalMs: number;
  private readonly listeningPollIntervalMs: number;
  private readonly connectTimeoutMs: number;
  private closing = false;
  private closed: Promise<void> | undefined;
  private listener: Listener | undefined;
  private listening = false;

  /**
   * Connects to the database named by `url` and brings its schema up to date (under an advisory lock, so
   * several processes may start at once). Throws StoreUnavailableError when the server cannot be reached.
   */
  static async open(url: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const store = new PostgresEventStore(url, options);
    try {
      await applyMigrations(store.pool, EVENT_STORE_COMPONENT, EVENT_STORE_MIGRATIONS);
    } catch (error) {
      await store.pool.end().catch(() => undefined);
      throw toStoreError('open', error);
    }
    return store;
  }

  private constructor(
    private readonly url: string,
    options: PostgresEventStoreOptions,
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.listeningPollIntervalMs = options.listeningPollIntervalMs ?? 2000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.pool = new Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: this.connectTimeoutMs,
      application_name: 'minerals-ledger',
      types: INT8_AS_BIGINT,
      // The append function reads the last position after taking its lock, which is right only when each
      // statement sees what committed before it began: READ COMMITTED, whatever the database's default.
      // pg-pool awaits the hook's promise before handing the client out (its typings say void).
      // eslint-disable-next-line @typescript-eslint/no-misused-promises
      onConnect: async (client) => {
        await client.query('SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL READ COMMITTED');
      },
    });
    // An idle connection that the server drops emits 'error' on the pool; unhandled, it would end the
    // process. The next query opens a new connection (or reports the store unavailable).
    this.pool.on('error', () => undefined);
    this.appended.setMaxListeners(0);
  }

  /**
   * Appends are committed in groups: every append requested while the event loop was busy, or while the
   * previous group was in flight, joins one transaction. Each append's refusal is decided before it writes,
   * so a refused append leaves the others of its group untouched. Every promise settles only after commit.
   */
  append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) return Promise.reject(new Error('append needs at least one event'));
    if (this.closing) return Promise.reject(new Error('the PostgreSQL event store is closed'));
    const repeated = repeatedId(events);
    if (repeated !== undefined) return Promise.reject(new DuplicateEventIdError(repeated));
    let encoded: string;
    try {
      encoded = encodeAppend(streamId, events, expected);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ streamId, events, expected, encoded, resolve, reject });
      this.flushing ??= this.flushPending();
    });
  }

  private async flushPending(): Promise<void> {
    // Every append requested in this turn of the event loop joins the first group.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.pending.length > 0) await this.commitGroup(this.takeGroup());
    this.flushing = undefined;
  }

  private takeGroup(): PendingAppend[] {
    let events = 0;
    let count = 0;
    while (count < this.pending.length) {
      events += this.pending[count]!.events.length;
      if (count > 0 && events > MAX_GROUP_EVENTS) break;
      count += 1;
    }
    return this.pending.splice(0, count);
  }

  /** Commits one group and settles each of its promises; never throws. */
  private async commitGroup(group: PendingAppend[]): Promise<void> {
    let outcomes: AppendOutcome[];
    try {
      const { rows } = await this.pool.query<{ outcomes: AppendOutcome[] }>({
        // Named, so each connection parses and plans the call once rather than on every append (about a
        // fifth of an append's time on the server, fsync aside). Unlike a query over the table, its plan
        // does not depend on the table's size: PL/pgSQL plans the function's own statements itself.
        name: 'ledger_append_events',
        text: 'SELECT ledger_append_events($1::json) AS outcomes',
        values: [`[${group.map((append) => append.encoded).join(',')}]`],
      });
      outcomes = rows[0]?.outcomes ?? [];
      if (outcomes.length !== group.length) {
        throw new Error(
          `ledger_append_events answered ${outcomes.length} outcomes for ${group.length} appends`,
        );
      }
    } catch (error) {
      if (group.length > 1 && !isUnavailable(error)) {
        // Something in the batch failed the whole statement (a value the server refuses, a write that
        // bypassed the lock): nothing of it was stored, so each append is tried alone and only the
        // culprit fails.
        for (const append of group) await this.commitGroup([append]);
        return;
      }
      // Unreachable server, or a commit whose outcome is unknown: the caller may retry, and the
      // deterministic event ids make a retry of what did commit a no-op.
      const failure = toStoreError('append', error);
      for (const append of group) append.reject(failure);
      return;
    }
    let appended = false;
    group.forEach((append, index) => {
      const outcome = outcomes[index]!;
      if (!('error' in outcome)) {
        if (!outcome.deduplicated) appended = true;
        return append.resolve({
          streamId: append.streamId,
          revision: BigInt(outcome.revision),
          position: BigInt(outcome.position),
          eventIds: append.events.map((event) => event.eventId),
          deduplicated: outcome.deduplicated,
        });
      }
      if (outcome.error === 'duplicate-event-id')
        return append.reject(new DuplicateEventIdError(outcome.eventId));
      const actual = outcome.actual === null ? 'no-stream' : BigInt(outcome.actual);
      append.reject(new WrongExpectedRevisionError(append.streamId, append.expected, actual));
    });
    // Subscribers in this process need not wait for the notification's round trip.
    if (appended) this.appended.emit('append');
  }

  /** One statement (`ledger_import_events`) for the whole call: all of its events are stored, or none. */
  async importRecorded(events: RecordedOrStoredEvent[]): Promise<ImportResult> {
    if (this.closing) throw new Error('the PostgreSQL event store is closed');
    if (events.length === 0) return { imported: 0, skipped: 0, position: 0n };
    for (const event of events) checkRecordedAt(event);
    let outcome: { imported: number; skipped: number; position: string };
    try {
      const { rows } = await this.pool.query<{ outcome: typeof outcome }>({
        // named for the reason the append call is
        name: 'ledger_import_events',
        text: 'SELECT ledger_import_events($1::json) AS outcome',
        values: [encodeImport(events)],
      });
      outcome = rows[0]!.outcome;
    } catch (error) {
      throw importRefusalOf(error) ?? toStoreError('import', error);
    }
    if (outcome.imported > 0) this.appended.emit('append');
    return { imported: outcome.imported, skipped: outcome.skipped, position: BigInt(outcome.position) };
  }

  async readStream(streamId: string, fromRevision = 0n): Promise<RecordedEvent[]> {
    const rows = await this.query<EventRow>('readStream', {
      text: `SELECT ${COLUMNS} FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision`,
      values: [streamId, fromRevision],
    });
    return rows.map(toRecorded);
  }

  async readAll({ fromPosition = 0n, limit = 1000 }: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    // Positions become visible in order, so what a reader sees after a position is always a gapless prefix.
    const rows = await this.query<EventRow>('readAll', {
      text: `SELECT ${COLUMNS} FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
      values: [fromPosition, limit],
    });
    return rows.map(toRecorded);
  }

  /** `readAll` without parsing data and metadata: what a verification or a digest walks. */
  async readAllStored({ fromPosition = 0n, limit = 1000 }: ReadAllOptions = {}): Promise<StoredEvent[]> {
    return this.query<StoredEvent & QueryResultRow>('readAll', {
      text: `SELECT position, event_id AS "eventId", stream_id AS "streamId", revision, type,
                    schema_version AS "schemaVersion", recorded_at AS "recordedAt",
                    effective_at AS "effectiveAt", data AS "dataText", metadata AS "metadataText"
               FROM events WHERE position > $1 ORDER BY position LIMIT $2`,
      values: [fromPosition, limit],
    });
  }

  async headPosition(): Promise<bigint> {
    const [row] = await this.query<{ head: bigint }>('headPosition', {
      text: 'SELECT coalesce(max(position), 0) AS head FROM events',
    });
    return row!.head;
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    this.startListening();
    const polling = pollingSubscription(
      {
        appended: this.appended,
        readAll: (read) => this.readAll(read),
        // while LISTEN is up the poll is a safety net only
        idlePauseMs: () => (this.listening ? this.listeningPollIntervalMs : this.pollIntervalMs),
        retryPauseMs: RETRY_PAUSE_MS,
        appendEndsRetryPause: false,
      },
      options,
    );
    const subscription: Subscription = {
      stop: async () => {
        this.subscriptions.delete(subscription);
        await polling.stop();
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** Commits what was already requested, stops the subscriptions and the listener, then ends the pool. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      this.closing = true;
      await this.flushing;
      await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
      if (this.listener) {
        this.listener.wake?.();
        await this.listener.client?.end().catch(() => undefined);
        await this.listener.done;
      }
      await this.pool.end();
      this.appended.removeAllListeners();
    })();
    return this.closed;
  }

  /**
   * Statements are deliberately not named (prepared): an unnamed statement is planned for its actual
   * values and the table's actual size each time, while a prepared one may keep a plan made when the log
   * was nearly empty (a sequential scan) long after it has grown. (The calls of the append and import
   * functions are named: their plan is a function call, whatever the table holds.)
   */
  private async query<Row extends QueryResultRow>(operation: string, query: QueryConfig): Promise<Row[]> {
    try {
      return (await this.pool.query<Row>(query)).rows;
    } catch (error) {
      throw toStoreError(operation, error);
    }
  }

  /** The LISTEN connection, opened with the first subscription and reopened (with backoff) until close. */
  private startListening(): void {
    if (this.listener || this.closing) return;
    const listener: Listener = { done: Promise.resolve() };
    this.listener = listener;
    listener.done = (async () => {
      let pauseMs = LISTEN_RETRY_MIN_MS;
      while (!this.closing) {
        const client = new Client({
          connectionString: this.url,
          application_name: 'minerals-ledger listener',
          connectionTimeoutMillis: this.connectTimeoutMs,
          // A connection that silently died is noticed, instead of waiting for notifications forever.
          keepAlive: true,
          keepAliveInitialDelayMillis: 10_000,
        });
        const ended = new Promise<void>((resolve) => {
          client.once('end', resolve);
          client.on('error', () => resolve());
        });
        client.on('notification', () => this.appended.emit('append'));
        listener.client = client;
        try {
          await client.connect();
          await client.query(`LISTEN ${APPENDED_CHANNEL}`);
          if (this.closing) break;
          this.listening = true;
          pauseMs = LISTEN_RETRY_MIN_MS;
          // Whatever was appended while nobody listened is read now rather than at the next poll.
          this.appended.emit('append');
          await ended;
        } catch {
          // fall through to the pause; subscribers poll quickly meanwhile
        } finally {
          this.listening = false;
          listener.client = undefined;
          await client.end().catch(() => undefined);
        }
        if (this.closing) break;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pauseMs * (0.75 + Math.random() / 2));
          listener.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        listener.wake = undefined;
        pauseMs = Math.min(pauseMs * 2, LISTEN_RETRY_MAX_MS);
      }
    })();
  }
}
