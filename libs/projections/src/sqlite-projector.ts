import type { EventStore, RecordedEvent, SqliteDatabase, Subscription } from '@ledger/event-store';
import { ensureCheckpointTable } from './checkpoints';
import type { SqliteReadModel } from './projection';
import type { ReadModelProgress } from './read-model-progress';

export interface ProjectorOptions {
  batchSize?: number;
  onError?: (error: unknown) => void;
}

/**
 * Keeps the embedded read models current. Each read model has its own checkpoint; a batch of events
 * changes the read models and moves their checkpoints in one transaction, so a crash anywhere leaves
 * them exactly at a checkpoint and at-least-once delivery has exactly-once effect.
 */
export class SqliteProjector implements ReadModelProgress {
  private subscription: Subscription | undefined;
  private readonly checkpoints = new Map<string, bigint>();
  private readonly waiters = new Set<() => void>();
  private readonly applyBatch: (events: RecordedEvent[]) => void;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly store: EventStore,
    private readonly readModels: readonly SqliteReadModel[],
    private readonly options: ProjectorOptions = {},
  ) {
    ensureCheckpointTable(db);
    for (const model of readModels) model.createTables(db);
    const readCheckpoint = db
      .prepare('SELECT position FROM projection_checkpoints WHERE name = ?')
      .safeIntegers(true)
      .pluck();
    for (const model of readModels) {
      this.checkpoints.set(model.name, (readCheckpoint.get(model.name) as bigint | undefined) ?? 0n);
    }
    const saveCheckpoint = db.prepare(
      'INSERT INTO projection_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
    const writers = readModels.map((model) => ({ model, write: model.writer(db) }));
    this.applyBatch = db.transaction((events: RecordedEvent[]) => {
      const last = events[events.length - 1]!.position;
      for (const { model, write } of writers) {
        // The stored checkpoint, not the one in memory: a rebuild or a second projector may have moved it.
        const checkpoint = (readCheckpoint.get(model.name) as bigint | undefined) ?? 0n;
        const changes = events.filter((event) => event.position > checkpoint).flatMap(model.project);
        if (changes.length > 0) write(changes);
        if (last > checkpoint) saveCheckpoint.run(model.name, last);
      }
    });
  }

  /** Catches up from the lowest checkpoint, then follows the log. */
  start(): void {
    if (this.subscription) return;
    this.subscription = this.store.subscribeToAll({
      fromPosition: this.position(),
      batchSize: this.options.batchSize ?? 1000,
      onEvents: (events) => this.handle(events),
      onError: this.options.onError,
    });
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = undefined;
    this.wakeWaiters();
  }

  /** Handles one batch; public so tests and the rebuild tool can drive a projector without a subscription. */
  handle(events: RecordedEvent[]): void {
    if (events.length === 0) return;
    this.applyBatch(events);
    // Only after the commit: the in-memory checkpoints follow what is durably stored.
    const last = events[events.length - 1]!.position;
    for (const [name, checkpoint] of this.checkpoints) {
      if (last > checkpoint) this.checkpoints.set(name, last);
    }
    this.wakeWaiters();
  }

  /** The position every read model has reached. */
  position(): bigint {
    let lowest: bigint | undefined;
    for (const checkpoint of this.checkpoints.values()) {
      if (lowest === undefined || checkpoint < lowest) lowest = checkpoint;
    }
    return lowest ?? 0n;
  }

  checkpointsByReadModel(): ReadonlyMap<string, bigint> {
    return this.checkpoints;
  }

  /** Resolves true once every read model has reached `position`, false after `timeoutMs`. */
  async waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.position() < position) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(remaining, 250));
        this.waiters.add(done);
      });
    }
    return true;
  }

  private wakeWaiters(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    waiting.forEach((wake) => wake());
  }
}
