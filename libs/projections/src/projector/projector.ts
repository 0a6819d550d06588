import type { EventStore, RecordedEvent, Subscription, Upcasters } from '@ledger/event-store';
import { hostname } from 'node:os';
import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import type { Checkpoint, ProjectionFailure, ReadModelStore } from '../store/read-model-store';
import { LOCK_RENEW_MS } from '../store/projector-lock';
import { EventProjector } from './projected-events';

/** What the projector tells an operator: plain lines, once per event worth telling. */
export interface ProjectorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectorOptions {
  /** who this projector is, in the lock and in /ready (default `host:pid`) */
  owner?: string;
  /** events applied per transaction at most (default 500: a transaction is a few ms, so /health stays fast) */
  batchSize?: number;
  logger?: ProjectorLogger;
  /** the ledger's upcasters unless a test brings its own */
  upcasters?: Upcasters;
  /** the first pause before a parked read model is tried again; doubles up to `maxRetryMs` */
  minRetryMs?: number;
  maxRetryMs?: number;
}

/** A read model that stopped on an event: it stays there, the others go on, and it is tried again later. */
export interface ParkedModel {
  position: bigint;
  eventId: string;
  message: string;
  /** how many times it failed on that event */
  failures: number;
  retryAt: string;
}

/** Progress of one read model, for /ready and /metrics. */
export interface ReadModelReport {
  name: string;
  checkpoint: bigint;
  /** events behind the head when positions are dense; otherwise the distance in positions */
  lag: bigint;
  /** failures since this projector started (a counter) */
  failures: number;
  parked?: ParkedModel;
}

export interface ProjectorReport {
  /** `active`: this process projects; `standby`: it waits for the lock; `external`: it never projects */
  role: 'active' | 'standby' | 'external';
  owner: string;
  holder: string | undefined;
  headPosition: bigint;
  /** whether lag counts events (dense positions) or positions */
  lagUnit: 'events' | 'positions';
  models: ReadModelReport[];
  /** the subscription gave up (a non-transient store error) */
  stoppedBecause?: string;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Keeps the read models current, at most one per read-model store at a time: it takes the store's
 * projector lock (other processes wait as standbys and take over within seconds when the holder dies),
 * follows the log from the lowest checkpoint, applies each batch with its checkpoints in one transaction
 * (`ReadModelStore.apply`), and yields to the event loop between batches so the process keeps answering.
 *
 * A read model whose projection fails on an event is parked there: the others go on, /ready names it with
 * the event, the failure is logged once per retry (retries back off from a second to five minutes), and
 * `ledger_projection_failures_total` counts it. It is never skipped past the event.
 */
export class Projector {
  readonly owner: string;
  private running = false;
  private holding = false;
  private subscription: Subscription | undefined;
  private election: Promise<void> | undefined;
  private readonly checkpoints = new Map<string, Checkpoint>();
  private readonly parked = new Map<string, ParkedModel & { retryAtMs: number; retryMs: number }>();
  private readonly failureCounts = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private stoppedBecause: string | undefined;
  private holder: string | undefined;
  private wakeElection: (() => void) | undefined;
  private readonly logger: ProjectorLogger;

  constructor(
    private readonly events: EventStore,
    readonly readModels: ReadModelStore,
    private readonly options: ProjectorOptions = {},
  ) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}`;
    this.logger = options.logger ?? { log: () => undefined, warn: () => undefined, error: () => undefined };
  }

  /** Joins the election for the store's projector lock; projects while holding it. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.election = this.elect();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wakeElection?.();
    await this.election;
    await this.stopFollowing();
    if (this.holding) await this.readModels.lock.release(this.owner).catch(() => undefined);
    this.holding = false;
    this.wakeWaiters();
  }

  private async elect(): Promise<void> {
    while (this.running) {
      try {
        if (!this.holding) {
          this.holding = await this.readModels.lock.tryAcquire(this.owner);
          if (this.holding) {
            this.logger.log(`projecting as ${this.owner}`);
            await this.follow();
            await this.publish();
          } else {
            this.holder = (await this.readModels.lock.holder())?.owner;
            await this.refreshCheckpoints();
          }
        } else if (!(await this.readModels.lock.renew(this.owner))) {
          this.logger.warn(`lost the projector lock; ${this.owner} stands by`);
          this.holding = false;
          await this.stopFollowing();
        } else {
          await this.retryParked();
          // every model was parked when following began: follow again once one goes on
          if (!this.subscription) await this.follow();
          await this.publish();
        }
      } catch (error) {
        this.logger.warn(`projector: ${describe(error)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, LOCK_RENEW_MS);
        this.wakeElection = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeElection = undefined;
    }
  }

  private async refreshCheckpoints(): Promise<void> {
    for (const [name, checkpoint] of await this.readModels.checkpoints())
      this.checkpoints.set(name, checkpoint);
    this.wakeWaiters();
  }

  /** Catches up from the lowest checkpoint of the models that are not parked, then follows the log. */
  private async follow(): Promise<void> {
    await this.refreshCheckpoints();
    this.holder = this.owner;
    this.stoppedBecause = undefined;
    const active = [...this.checkpoints].filter(([name]) => !this.parked.has(name));
    if (active.length === 0) return;
    const [, start] = active.reduce((lowest, entry) =>
      entry[1].position < lowest[1].position ? entry : lowest,
    );
    const projector = new EventProjector(start.recordedAt, this.options.upcasters);
    this.subscription = this.events.subscribeToAll({
      fromPosition: start.position,
      batchSize: this.options.batchSize ?? 500,
      onEvents: async (batch) => {
        await this.applyBatch(projector.project(batch), batch);
        await yieldToEventLoop();
      },
      onError: (error, retrying) => {
        if (retrying) {
          this.logger.warn(`projector: reading the log failed (${describe(error)}); retrying`);
        } else {
          this.stoppedBecause = describe(error);
          this.logger.error(`projector: reading the log failed for good: ${this.stoppedBecause}`);
        }
      },
    });
  }

  private async stopFollowing(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
  }

  private async applyBatch(
    projected: ReturnType<EventProjector['project']>,
    _batch: RecordedEvent[],
  ): Promise<void> {
    const models = this.readModels.names.filter((name) => !this.parked.has(name));
    const failures = await this.readModels.apply(projected, { models });
    for (const failure of failures) this.park(failure);
    await this.refreshCheckpoints();
  }

  private park(failure: ProjectionFailure): void {
    const earlier = this.parked.get(failure.model);
    const failures = (earlier?.position === failure.position ? earlier.failures : 0) + 1;
    const retryMs = earlier
      ? Math.min(earlier.retryMs * 2, this.options.maxRetryMs ?? 300_000)
      : (this.options.minRetryMs ?? 1_000);
    const retryAtMs = Date.now() + retryMs;
    const parked = {
      position: failure.position,
      eventId: failure.eventId,
      message: describe(failure.error),
      failures,
      retryAt: new Date(retryAtMs).toISOString(),
      retryAtMs,
      retryMs,
    };
    this.parked.set(failure.model, parked);
    this.failureCounts.set(failure.model, (this.failureCounts.get(failure.model) ?? 0) + 1);
    // once per try (which backs off), never once per batch: a poisonous event must not flood the log
    this.logger.error(
      `read model ${failure.model} stopped at position ${failure.position} (event ${failure.eventId}): ` +
        `${parked.message}; the other read models go on; trying again in ${Math.round(retryMs / 1000)} s`,
    );
  }

  /** Tries each parked model whose pause is over: it catches up on its own up to the others. */
  private async retryParked(): Promise<void> {
    for (const [name, parked] of [...this.parked]) {
      if (parked.retryAtMs > Date.now() || !this.holding) continue;
      const checkpoint = (await this.readModels.checkpoints()).get(name);
      if (!checkpoint) continue;
      const projector = new EventProjector(checkpoint.recordedAt, this.options.upcasters);
      let position = checkpoint.position;
      let failure: ProjectionFailure | undefined;
      for (;;) {
        const batch = await this.events.readAll({
          fromPosition: position,
          limit: this.options.batchSize ?? 500,
        });
        if (batch.length === 0) break;
        [failure] = await this.readModels.apply(projector.project(batch), { models: [name] });
        if (failure) break;
        position = batch[batch.length - 1]!.position;
        await yieldToEventLoop();
      }
      if (failure) {
        this.park(failure);
      } else {
        this.parked.delete(name);
        this.logger.log(`read model ${name} goes on past position ${parked.position}`);
      }
      await this.refreshCheckpoints();
    }
  }

  /** What other processes show in their /ready and /metrics: the parked models and failure counts. */
  private async publish(): Promise<void> {
    await this.readModels.saveProjectorState({
      owner: this.owner,
      failures: Object.fromEntries(this.failureCounts),
      parked: Object.fromEntries(
        [...this.parked].map(([name, parked]) => [
          name,
          {
            position: parked.position.toString(),
            eventId: parked.eventId,
            message: parked.message,
            failures: parked.failures,
            retryAt: parked.retryAt,
          },
        ]),
      ),
      ...(this.stoppedBecause ? { stoppedBecause: this.stoppedBecause } : {}),
    });
  }

  /** The position every read model (or every one of `models`) has reached. */
  position(models?: readonly string[]): bigint {
    let lowest: bigint | undefined;
    for (const [name, { position }] of this.checkpoints) {
      if (models !== undefined && !models.includes(name)) continue;
      if (lowest === undefined || position < lowest) lowest = position;
    }
    return lowest ?? 0n;
  }

  /**
   * Resolves true once every read model (or every one of `models`) has reached `position`, false after
   * `timeoutMs`. A standby or a process without a projector sees the checkpoints the active projector commits.
   */
  async waitFor(position: bigint, timeoutMs: number, models?: readonly string[]): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.position(models) < position) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return false;
      if (!this.holding) {
        await sleep(Math.min(remaining, 25));
        await this.refreshCheckpoints();
        continue;
      }
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

  /** Where projection stands: lag costs one head lookup, never a read of the events. */
  async report(): Promise<ProjectorReport> {
    if (this.holding) {
      return projectorReport(this.events, {
        role: 'active',
        owner: this.owner,
        holder: this.owner,
        checkpoints: this.checkpoints,
        failures: this.failureCounts,
        parked: this.parked,
        ...(this.stoppedBecause ? { stoppedBecause: this.stoppedBecause } : {}),
      });
    }
    await this.refreshCheckpoints();
    return storedProjectorReport(
      this.events,
      this.readModels,
      this.running ? 'standby' : 'external',
      this.owner,
    );
  }
}

interface ReportParts {
  role: ProjectorReport['role'];
  owner: string;
  holder: string | undefined;
  checkpoints: ReadonlyMap<string, Checkpoint>;
  failures: ReadonlyMap<string, number>;
  parked: ReadonlyMap<string, ParkedModel>;
  stoppedBecause?: string;
}

async function projectorReport(events: EventStore, parts: ReportParts): Promise<ProjectorReport> {
  const head = await events.headPosition();
  return {
    role: parts.role,
    owner: parts.owner,
    holder: parts.holder,
    headPosition: head,
    lagUnit: events.positionsAreDense ? 'events' : 'positions',
    models: [...parts.checkpoints].map(([name, checkpoint]) => {
      const parked = parts.parked.get(name);
      return {
        name,
        checkpoint: checkpoint.position,
        lag: head > checkpoint.position ? head - checkpoint.position : 0n,
        failures: parts.failures.get(name) ?? 0,
        ...(parked
          ? {
              parked: {
                position: parked.position,
                eventId: parked.eventId,
                message: parked.message,
                failures: parked.failures,
                retryAt: parked.retryAt,
              },
            }
          : {}),
      };
    }),
    ...(parts.stoppedBecause ? { stoppedBecause: parts.stoppedBecause } : {}),
  };
}

/**
 * The report of a process that does not project (a standby, or the API beside `apps/projector`): the
 * checkpoints and the state the active projector last published, read from the store in two small queries.
 */
export async function storedProjectorReport(
  events: EventStore,
  readModels: ReadModelStore,
  role: ProjectorReport['role'],
  owner: string,
): Promise<ProjectorReport> {
  const [checkpoints, state, holder] = await Promise.all([
    readModels.checkpoints(),
    readModels.loadProjectorState(),
    readModels.lock.holder(),
  ]);
  return projectorReport(events, {
    role,
    owner,
    holder: holder?.owner,
    checkpoints,
    failures: new Map(Object.entries(state?.failures ?? {})),
    parked: new Map(
      Object.entries(state?.parked ?? {}).map(([name, parked]) => [
        name,
        { ...parked, position: BigInt(parked.position) },
      ]),
    ),
    ...(state?.stoppedBecause ? { stoppedBecause: state.stoppedBecause } : {}),
  });
}
