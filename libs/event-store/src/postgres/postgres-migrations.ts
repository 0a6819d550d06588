import type { Pool } from 'pg';

/** One step of a component's schema, applied once, in version order, inside one transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Advisory lock keys of the ledger: one class (`'LEDG'` as an int4) and one key per purpose, in the
 * two-int4 form so that they never collide with another application's single bigint keys.
 */
export const LEDGER_LOCK_CLASS = 0x4c454447;
export const LOCK_KEYS = {
  /** held by every append transaction: one appender at a time hands out positions */
  append: 1,
  /** held while migrations run: processes starting together migrate one after the other */
  migrations: 2,
} as const;

/** Channel on which every committed append notifies its last position. */
export const APPENDED_CHANNEL = 'ledger_events_appended';

const lock = (key: number) => `pg_advisory_xact_lock(${LEDGER_LOCK_CLASS}, ${key})`;

/**
 * The event log. `position` is dense (1..N) and handed out under the append lock, never from a sequence:
 * a sequence value becomes visible in the order transactions commit, not the order they drew it, and a
 * catch-up reader that has passed a position would never see the event committed late below it. Dense
 * positions also keep a ledger movable between SQLite and PostgreSQL with identical positions.
 *
 * `data` and `metadata` are TEXT holding canonical JSON, never jsonb: jsonb reorders keys and drops
 * duplicates, which would change the bytes the hash chain covers.
 */
const EVENTS_TABLE = `
  CREATE TABLE events (
    position       bigint  NOT NULL,
    event_id       text    NOT NULL,
    stream_id      text    NOT NULL,
    revision       bigint  NOT NULL,
    type           text    NOT NULL,
    schema_version integer NOT NULL,
    recorded_at    text    NOT NULL,
    effective_at   text    NOT NULL,
    data           text    NOT NULL,
    metadata       text    NOT NULL,
    CONSTRAINT events_pkey PRIMARY KEY (position),
    CONSTRAINT events_event_id_key UNIQUE (event_id),
    CONSTRAINT events_stream_revision_key UNIQUE (stream_id, revision)
  );
`;

/**
 * `ledger_append_events(batch)` commits a group of appends in one round trip and one transaction.
 *
 * The batch is a JSON array of appends `{ s: stream, x: 'no-stream' | 'any' | '<revision>', p: prevHash,
 * e: [event] }`, `p` being the hash the first event links to (null when it carries none),
 * each event `{ i: id, t: type, v: schemaVersion, a: effectiveAt, d: data, m: metadata }` with `d` and `m`
 * as JSON strings holding the canonical text (so no JSON parser of the server ever touches their bytes).
 * It returns one outcome per append, in order: `{ revision, position, deduplicated }` (64-bit numbers as
 * strings), or `{ error: 'wrong-expected-revision', actual }` (null for no stream), or
 * `{ error: 'duplicate-event-id', eventId }`.
 *
 * Every refusal is decided before the append writes anything, so a refused append has nothing to undo and
 * needs no subtransaction: a group of hundreds of appends would otherwise assign hundreds of subtransaction
 * ids, and past 64 of them every other session's snapshot checks slow down (the subxid cache overflows).
 *
 * The lock is released after the transaction has become visible (PostgreSQL ends the transaction in the
 * proc array before it releases its locks), so the next appender reads the previous group's last position
 * and every reader sees the log as a gapless prefix.
 *
 * recorded_at comes from the database clock at each append and never decreases along positions, so
 * "known at time T" is a clean cut of the log even when the server's clock steps back.
 *
 * `enable_seqscan = off`: every statement here is a lookup through an index. PL/pgSQL caches its plans
 * per connection, and a plan made while the table was nearly empty (a sequential scan, cheapest then)
 * would otherwise stay in use as the log grows, making each append cost a scan of the whole table.
 */
const APPEND_FUNCTION = `
  CREATE OR REPLACE FUNCTION ledger_append_events(batch json) RETURNS json
  LANGUAGE plpgsql VOLATILE
  SET enable_seqscan = off
  AS $fn$
  DECLARE
    item          json;
    stream        text;
    expected      text;
    ids           text[];
    n             integer;
    head          bigint;
    matches       boolean;
    first_stream  text;
    first_rev     bigint;
    stored_ids    text[];
    last_row      record;
    taken         text;
    links_to      text;
    last_position bigint;
    last_time     timestamp;
    append_time   timestamp;
    appended      boolean := false;
    outcomes      json[] := '{}';
  BEGIN
    PERFORM ${lock(LOCK_KEYS.append)};
    -- Read after taking the lock: in READ COMMITTED each statement sees what committed before it began.
    SELECT e.position, (e.recorded_at::timestamptz AT TIME ZONE 'UTC')
      INTO last_position, last_time
      FROM events e ORDER BY e.position DESC LIMIT 1;
    last_position := coalesce(last_position, 0);

    FOR item IN SELECT b.value FROM json_array_elements(batch) WITH ORDINALITY AS b(value, k) ORDER BY b.k
    LOOP
      stream := item->>'s';
      expected := item->>'x';
      ids := ARRAY(
        SELECT ev.value->>'i' FROM json_array_elements(item->'e') WITH ORDINALITY AS ev(value, k)
        ORDER BY ev.k);
      n := cardinality(ids);

      -- The first id is stored already: a retry of the same append is a no-op, anything else a clash.
      SELECT e.stream_id, e.revision INTO first_stream, first_rev FROM events e WHERE e.event_id = ids[1];
      IF FOUND THEN
        stored_ids := ARRAY(
          SELECT e.event_id FROM events e
          WHERE e.stream_id = stream AND e.revision >= first_rev
          ORDER BY e.revision LIMIT n);
        IF first_stream = stream AND stored_ids = ids THEN
          SELECT e.revision, e.position INTO last_row
            FROM events e WHERE e.stream_id = stream AND e.revision = first_rev + n - 1;
          outcomes := array_append(outcomes, json_build_object(
            'revision', last_row.revision::text, 'position', last_row.position::text, 'deduplicated', true));
        ELSE
          outcomes := array_append(outcomes, json_build_object(
            'error', 'duplicate-event-id', 'eventId', ids[1]));
        END IF;
        CONTINUE;
      END IF;

      SELECT max(e.revision) INTO head FROM events e WHERE e.stream_id = stream;
      matches := CASE expected
        WHEN 'any' THEN true
        WHEN 'no-stream' THEN head IS NULL
        ELSE head IS NOT NULL AND head = expected::bigint
      END;
      IF NOT matches THEN
        outcomes := array_append(outcomes, json_build_object(
          'error', 'wrong-expected-revision', 'actual', head::text));
        CONTINUE;
      END IF;

      -- An append decided on an append that never committed (pipelined behind it) may find the stream at
      -- the revision it expects, reached by another writer's events: the hash link tells them apart.
      links_to := item->>'p';
      IF expected <> 'any' AND head IS NOT NULL AND links_to IS NOT NULL AND EXISTS (
           SELECT 1 FROM events e WHERE e.stream_id = stream AND e.revision = head
              AND (e.metadata::json)->>'hash' IS DISTINCT FROM links_to
              AND (e.metadata::json)->>'hash' IS NOT NULL) THEN
        outcomes := array_append(outcomes, json_build_object(
          'error', 'wrong-expected-revision', 'actual', head::text));
        CONTINUE;
      END IF;

      SELECT e.event_id INTO taken FROM events e WHERE e.event_id = ANY (ids) LIMIT 1;
      IF FOUND THEN
        outcomes := array_append(outcomes, json_build_object('error', 'duplicate-event-id', 'eventId', taken));
        CONTINUE;
      END IF;

      append_time := greatest(clock_timestamp() AT TIME ZONE 'UTC', last_time);
      INSERT INTO events
        (position, event_id, stream_id, revision, type, schema_version, recorded_at, effective_at, data, metadata)
      SELECT last_position + ev.k, ev.i, stream, coalesce(head, -1) + ev.k, ev.t, ev.v,
             to_char(append_time, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), ev.a, ev.d, ev.m
        FROM ROWS FROM (json_to_recordset(item->'e') AS (i text, t text, v integer, a text, d text, m text))
             WITH ORDINALITY AS ev(i, t, v, a, d, m, k);
      last_position := last_position + n;
      last_time := append_time;
      appended := true;
      outcomes := array_append(outcomes, json_build_object(
        'revision', (coalesce(head, -1) + n)::text, 'position', last_position::text, 'deduplicated', false));
    END LOOP;

    -- Delivered when (and only if) the transaction commits.
    IF appended THEN
      PERFORM pg_notify('${APPENDED_CHANNEL}', last_position::text);
    END IF;
    RETURN array_to_json(outcomes);
  END
  $fn$;
`;

/** SQLSTATE of an import's refusal (class LG: the ledger's own); DETAIL holds `{ kind, eventId }`. */
export const IMPORT_REFUSED_SQLSTATE = 'LG001';

/**
 * `ledger_import_events(batch)` stores events recorded by another store (`EventStore.importRecorded`), in
 * one statement, so all of them or none. The batch is a JSON array of events `{ i: id, s: stream,
 * r: revision, t: type, v: schemaVersion, a: effectiveAt, at: recordedAt, d: data, m: metadata }`, `d` and
 * `m` as JSON strings holding the canonical text, as for appends. It returns `{ imported, skipped,
 * position }` (position as a string: the last event's, written or skipped).
 *
 * A batch of new events is checked and written set-based (one statement each); a batch holding stored
 * events, or one to refuse, event by event.
 *
 * Under the append lock, like appends: positions stay dense and visible in order. The recorded time is
 * stored as given and must not run backwards along the log; compared in the "C" collation, byte by byte,
 * as every reader compares these strings. An event stored identically already is skipped (an interrupted
 * import run again); anything else raises IMPORT_REFUSED_SQLSTATE, which undoes the whole statement.
 */
const IMPORT_FUNCTION = `
  CREATE OR REPLACE FUNCTION ledger_import_events(batch json) RETURNS json
  LANGUAGE plpgsql VOLATILE
  SET enable_seqscan = off
  AS $fn$
  DECLARE
    item          json;
    stored        record;
    head          bigint;
    rev           bigint;
    recorded      text;
    last_position bigint;
    last_time     text;
    result_at     bigint := 0;
    imported      integer := 0;
    skipped       integer := 0;
    ids           text[];
    refused       record;
  BEGIN
    PERFORM ${lock(LOCK_KEYS.append)};
    SELECT e.position, e.recorded_at INTO last_position, last_time
      FROM events e ORDER BY e.position DESC LIMIT 1;
    last_position := coalesce(last_position, 0);

    -- The usual case, a fresh import: no id of the batch is stored yet and none occurs twice. Then one
    -- statement finds any event out of place (its revision not the next of its stream, its recorded time
    -- before the one it follows) and, when there is none, one INSERT writes them all. Otherwise (a resumed
    -- import, a refusal to name) the loop below takes the events one by one.
    ids := ARRAY(SELECT b.value->>'i' FROM json_array_elements(batch) AS b(value));
    IF cardinality(ids) = (SELECT count(DISTINCT u.id) FROM unnest(ids) AS u(id))
       AND NOT EXISTS (SELECT 1 FROM events e WHERE e.event_id = ANY (ids)) THEN
      SELECT g.k INTO refused
        FROM (
          SELECT c.k, c.r, c.at,
                 coalesce(c.prev_r, (SELECT max(e.revision) FROM events e WHERE e.stream_id = c.s), -1) + 1
                   AS expected,
                 coalesce(c.prev_at, last_time) AS after
            FROM (
              SELECT b.k, b.value->>'s' AS s, (b.value->>'r')::bigint AS r, b.value->>'at' AS at,
                     lag((b.value->>'r')::bigint) OVER (PARTITION BY b.value->>'s' ORDER BY b.k) AS prev_r,
                     lag(b.value->>'at') OVER (ORDER BY b.k) AS prev_at
                FROM json_array_elements(batch) WITH ORDINALITY AS b(value, k)
            ) c
        ) g
       WHERE g.r <> g.expected OR g.at COLLATE "C" < g.after COLLATE "C"
       ORDER BY g.k LIMIT 1;
      IF NOT FOUND THEN
        INSERT INTO events
          (position, event_id, stream_id, revision, type, schema_version, recorded_at, effective_at, data, metadata)
        SELECT last_position + ev.k, ev.i, ev.s, ev.r, ev.t, ev.v, ev.at, ev.a, ev.d, ev.m
          FROM ROWS FROM (json_to_recordset(batch)
                 AS (i text, s text, r bigint, t text, v integer, a text, at text, d text, m text))
               WITH ORDINALITY AS ev(i, s, r, t, v, a, at, d, m, k);
        last_position := last_position + cardinality(ids);
        IF cardinality(ids) > 0 THEN
          PERFORM pg_notify('${APPENDED_CHANNEL}', last_position::text);
        END IF;
        RETURN json_build_object('imported', cardinality(ids), 'skipped', 0, 'position', last_position::text);
      END IF;
    END IF;

    FOR item IN SELECT b.value FROM json_array_elements(batch) WITH ORDINALITY AS b(value, k) ORDER BY b.k
    LOOP
      rev := (item->>'r')::bigint;
      recorded := item->>'at';
      SELECT e.* INTO stored FROM events e WHERE e.event_id = item->>'i';
      IF FOUND THEN
        IF stored.stream_id IS DISTINCT FROM item->>'s' OR stored.revision IS DISTINCT FROM rev
           OR stored.type IS DISTINCT FROM item->>'t'
           OR stored.schema_version IS DISTINCT FROM (item->>'v')::integer
           OR stored.effective_at IS DISTINCT FROM item->>'a' OR stored.recorded_at IS DISTINCT FROM recorded
           OR stored.data IS DISTINCT FROM item->>'d' OR stored.metadata IS DISTINCT FROM item->>'m' THEN
          RAISE EXCEPTION USING ERRCODE = '${IMPORT_REFUSED_SQLSTATE}',
            MESSAGE = format('the store holds this id as %s@%s with other content', stored.stream_id, stored.revision),
            DETAIL = json_build_object('kind', 'conflicting-event', 'eventId', item->>'i')::text;
        END IF;
        IF imported > 0 THEN
          RAISE EXCEPTION USING ERRCODE = '${IMPORT_REFUSED_SQLSTATE}',
            MESSAGE = format('stored already at position %s, before events this import writes', stored.position),
            DETAIL = json_build_object('kind', 'stored-out-of-order', 'eventId', item->>'i')::text;
        END IF;
        skipped := skipped + 1;
        result_at := stored.position;
        CONTINUE;
      END IF;

      SELECT max(e.revision) INTO head FROM events e WHERE e.stream_id = item->>'s';
      IF rev <> coalesce(head, -1) + 1 THEN
        IF rev <= head THEN
          RAISE EXCEPTION USING ERRCODE = '${IMPORT_REFUSED_SQLSTATE}',
            MESSAGE = format('revision %s of %s holds another event', rev, item->>'s'),
            DETAIL = json_build_object('kind', 'conflicting-event', 'eventId', item->>'i')::text;
        END IF;
        RAISE EXCEPTION USING ERRCODE = '${IMPORT_REFUSED_SQLSTATE}',
          MESSAGE = format('revision %s of %s does not follow its last stored revision (%s)',
                           rev, item->>'s', coalesce(head::text, 'none')),
          DETAIL = json_build_object('kind', 'revision-gap', 'eventId', item->>'i')::text;
      END IF;
      IF last_time IS NOT NULL AND recorded COLLATE "C" < last_time COLLATE "C" THEN
        RAISE EXCEPTION USING ERRCODE = '${IMPORT_REFUSED_SQLSTATE}',
          MESSAGE = format('recorded time %s is earlier than %s, the last one stored', recorded, last_time),
          DETAIL = json_build_object('kind', 'recorded-time-backwards', 'eventId', item->>'i')::text;
      END IF;

      last_position := last_position + 1;
      INSERT INTO events
        (position, event_id, stream_id, revision, type, schema_version, recorded_at, effective_at, data, metadata)
      VALUES (last_position, item->>'i', item->>'s', rev, item->>'t', (item->>'v')::integer, recorded,
              item->>'a', item->>'d', item->>'m');
      last_time := recorded;
      result_at := last_position;
      imported := imported + 1;
    END LOOP;

    IF imported > 0 THEN
      PERFORM pg_notify('${APPENDED_CHANNEL}', last_position::text);
    END IF;
    RETURN json_build_object('imported', imported, 'skipped', skipped, 'position', result_at::text);
  END
  $fn$;
`;

/** The event store's schema, in order. Never edit a released step: add one. */
export const EVENT_STORE_MIGRATIONS: Migration[] = [
  { version: 1, name: 'events table', sql: EVENTS_TABLE },
  { version: 2, name: 'group append function', sql: APPEND_FUNCTION },
  { version: 3, name: 'import function', sql: IMPORT_FUNCTION },
];

/**
 * Applies a component's pending migrations, all in one transaction under an advisory lock, and records
 * them in `ledger_migrations`. Idempotent, and safe when several processes start at once: the second waits
 * for the lock, then finds nothing left to do.
 */
export async function applyMigrations(pool: Pool, component: string, migrations: Migration[]): Promise<void> {
  const client = await pool.connect();
  let failure: unknown;
  try {
    await client.query('BEGIN');
    await client.query(`SELECT ${lock(LOCK_KEYS.migrations)}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ledger_migrations (
        component  text        NOT NULL,
        version    integer     NOT NULL,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (component, version)
      )`);
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM ledger_migrations WHERE component = $1',
      [component],
    );
    const applied = new Set(rows.map((row) => row.version));
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO ledger_migrations (component, version, name) VALUES ($1, $2, $3)', [
        component,
        migration.version,
        migration.name,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    failure = error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A client whose transaction failed is discarded rather than handed to the next caller.
    client.release(failure !== undefined);
  }
}
