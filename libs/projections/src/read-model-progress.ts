import type { EventStore, SqliteDatabase } from '@ledger/event-store';
import { ensureCheckpointTable } from './checkpoints';

/** How far the read models have got: what `minPosition`, /ready and /metrics ask. */
export interface ReadModelProgress {
  /** the position every read model has reached */
  position(): bigint;
  checkpointsByReadModel(): ReadonlyMap<string, bigint>;
  /** resolves true once every read model has reached `position`, false after `timeoutMs` */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean>;
}

const POLL_MS = 25;

/**
 * Progress of a projector running in another process (apps/projector), read from the checkpoints it
 * commits to the shared SQLite file.
 */
export class StoredCheckpoints implements ReadModelProgress {
  private readonly read;

  constructor(
    db: SqliteDatabase,
    private readonly readModelNames: readonly string[],
  ) {
    ensureCheckpointTable(db);
    this.read = db.prepare('SELECT name, position FROM projection_checkpoints').safeIntegers(true);
  }

  checkpointsByReadModel(): ReadonlyMap<string, bigint> {
    const stored = new Map(
      (this.read.all() as { name: string; position: bigint }[]).map((row) => [row.name, row.position]),
    );
    return new Map(this.readModelNames.map((name) => [name, stored.get(name) ?? 0n]));
  }

  position(): bigint {
    const positions = [...this.checkpointsByReadModel().values()];
    return positions.reduce(
      (lowest, position) => (position < lowest ? position : lowest),
      positions[0] ?? 0n,
    );
  }

  async waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.position() < position) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    return true;
  }
}

/** Read models further behind the log than this many events are "not ready": queries would be stale. */
export const READY_LAG_BOUND = 1000;

/**
 * Events in the log that each read model has not applied yet, counted (up to `cap`) rather than taken as a
 * difference of positions: EventStoreDB positions are byte offsets with gaps.
 */
export async function projectionLag(
  store: EventStore,
  progress: ReadModelProgress,
  cap = 10_000,
): Promise<Map<string, number>> {
  const counted = new Map<bigint, number>();
  const lag = new Map<string, number>();
  for (const [name, checkpoint] of progress.checkpointsByReadModel()) {
    if (!counted.has(checkpoint)) {
      counted.set(checkpoint, (await store.readAll({ fromPosition: checkpoint, limit: cap })).length);
    }
    lag.set(name, counted.get(checkpoint)!);
  }
  return lag;
}

/** The /ready answer shared by the API and the projector. */
export function readiness(lag: ReadonlyMap<string, number>) {
  const ready = [...lag.values()].every((behind) => behind <= READY_LAG_BOUND);
  return {
    ready,
    body: {
      status: ready ? 'ready' : 'catching-up',
      readModels: Object.fromEntries([...lag].map(([name, behind]) => [name, { lag: String(behind) }])),
    },
  };
}

/** Prometheus lines for the lag gauge. */
export const lagMetricLines = (lag: ReadonlyMap<string, number>): string[] => [
  '# HELP ledger_projection_lag_events Events in the log that a read model has not applied yet (counted up to 10000).',
  '# TYPE ledger_projection_lag_events gauge',
  ...[...lag].map(([model, behind]) => `ledger_projection_lag_events{read_model="${model}"} ${behind}`),
];
