import type { SqliteDatabase } from '@ledger/event-store';

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
    db.exec(
      'CREATE TABLE IF NOT EXISTS projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL)',
    );
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

/** Events in the log that each read model has not applied yet. */
export function projectionLag(head: bigint, progress: ReadModelProgress): Map<string, bigint> {
  const lag = new Map<string, bigint>();
  for (const [name, checkpoint] of progress.checkpointsByReadModel())
    lag.set(name, head > checkpoint ? head - checkpoint : 0n);
  return lag;
}
