import { type DigestCheckpoint, GENESIS_CHECKPOINT, nextLogDigest } from '@ledger/event-store';
import type { ProjectedEnvelope, TableNames } from '../read-model';
import type { SqlDialect, SqlReader, SqlValue, Statement } from '../sql/sql.port';
import { toBigInt } from '../sql/sql.port';

/** A milestone row every this many events: the digest anywhere is a lookup plus at most this many events. */
export const LOG_INDEX_INTERVAL = 1024n;

/** The name of the log index among the read models: its checkpoint and generations work like theirs. */
export const LOG_INDEX = 'log_index_v1';

/** The table of the log index: a digest checkpoint every `LOG_INDEX_INTERVAL` events. */
export const LOG_INDEX_TABLE = {
  name: 'log_digests',
  ddl: (table: string, d: SqlDialect) => [
    `CREATE TABLE IF NOT EXISTS ${table} (
       sequence ${d.bigint} PRIMARY KEY, position ${d.bigint} NOT NULL, recorded_at TEXT NOT NULL,
       digest TEXT NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS ${table}_by_position ON ${table} (position)`,
  ],
};

/**
 * The log index: the running log digest (version 2) as the projector passes each event, kept as a
 * milestone every 1,024 events plus the state at its checkpoint, so that the digest at the head or at any
 * position is a lookup plus a short walk of the tail, at any length of the log. It folds the hashes the
 * events were sealed with; /audit/verify still recomputes everything from content and compares.
 */
export function foldLogIndex(
  from: DigestCheckpoint,
  events: readonly ProjectedEnvelope[],
  tables: TableNames,
): { state: DigestCheckpoint; statements: Statement[] } {
  let state = from;
  const milestones: SqlValue[][] = [];
  for (const event of events) {
    const sequence = state.sequence + 1n;
    const recordedAt = event.recordedAt > state.recordedAt ? event.recordedAt : state.recordedAt;
    state = {
      position: event.position,
      sequence,
      recordedAt,
      digest: nextLogDigest(state.digest, { hash: event.hash ?? '', sequence, recordedAt }),
    };
    if (sequence % LOG_INDEX_INTERVAL === 0n) {
      milestones.push([sequence, state.position, state.recordedAt, state.digest]);
    }
  }
  return {
    state,
    statements: [
      {
        sql: `INSERT INTO ${tables(LOG_INDEX_TABLE.name)} (sequence, position, recorded_at, digest)
              VALUES (?, ?, ?, ?) ON CONFLICT (sequence) DO NOTHING`,
        rows: milestones,
      },
    ],
  };
}

/** The state a checkpoint row keeps for the log index, as JSON (64-bit numbers as strings). */
export const encodeLogIndexState = (state: DigestCheckpoint): string =>
  JSON.stringify({ sequence: state.sequence.toString(), digest: state.digest, recordedAt: state.recordedAt });

export function decodeLogIndexState(position: bigint, text: string | null | undefined): DigestCheckpoint {
  if (!text) return GENESIS_CHECKPOINT;
  const state = JSON.parse(text) as { sequence: string; digest: string; recordedAt: string };
  return { position, sequence: BigInt(state.sequence), digest: state.digest, recordedAt: state.recordedAt };
}

/** The index's own checkpoint: the digest through the last event it folded. */
export async function logIndexHead(db: SqlReader): Promise<DigestCheckpoint> {
  const live = await db.get<{ position: unknown; state: string | null }>(
    `SELECT c.position, c.state FROM read_model_checkpoints c JOIN read_models m
        ON m.name = c.name AND m.generation = c.generation WHERE c.name = ?`,
    [LOG_INDEX],
  );
  return live ? decodeLogIndexState(toBigInt(live.position), live.state) : GENESIS_CHECKPOINT;
}

/**
 * The latest digest checkpoint the index holds at or before a cut (a position, or a number of events): a
 * milestone, or the state at the index's own checkpoint when that lies within the cut. The caller folds the
 * rest of the way from the event store (`storeDigest(store, { from, ... })`).
 */
export async function digestCheckpointBefore(
  db: SqlReader,
  cut: { position: bigint } | { sequence: bigint },
): Promise<DigestCheckpoint> {
  const head = await logIndexHead(db);
  const within = (checkpoint: DigestCheckpoint) =>
    'position' in cut ? checkpoint.position <= cut.position : checkpoint.sequence <= cut.sequence;
  if (within(head)) return head;
  const row = await db.get<{ sequence: unknown; position: unknown; recorded_at: string; digest: string }>(
    'position' in cut
      ? 'SELECT * FROM log_digests WHERE position <= ? ORDER BY sequence DESC LIMIT 1'
      : 'SELECT * FROM log_digests WHERE sequence <= ? ORDER BY sequence DESC LIMIT 1',
    ['position' in cut ? cut.position : cut.sequence],
  );
  if (!row) return GENESIS_CHECKPOINT;
  return {
    sequence: toBigInt(row.sequence),
    position: toBigInt(row.position),
    recordedAt: row.recorded_at,
    digest: row.digest,
  };
}

/** Every milestone from `afterSequence` on, for a verification to compare its own digests with. */
export async function digestMilestones(db: SqlReader): Promise<DigestCheckpoint[]> {
  const rows = await db.all<{ sequence: unknown; position: unknown; recorded_at: string; digest: string }>(
    'SELECT * FROM log_digests ORDER BY sequence',
  );
  return rows.map((row) => ({
    sequence: toBigInt(row.sequence),
    position: toBigInt(row.position),
    recordedAt: row.recorded_at,
    digest: row.digest,
  }));
}
