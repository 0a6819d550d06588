import type { Decider, DomainEvent } from '@ledger/domain';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConcurrencyConflictError, StaleRevisionError, StreamBusyError } from './command-errors';
import type { Actor, EventToAppend, RecordedEvent } from './event-envelope';
import { deterministicEventId, newId } from './event-ids';
import { type AppendResult, type EventStore, WrongExpectedRevisionError } from './event-store.port';
import { type HashedFields, sealEvents } from './seal';
import { CURRENT_SCHEMA_VERSION, LEDGER_UPCASTERS, toDomainEvent, type Upcasters } from './upcasting';

/** Who asks, why, and under which guarantees. */
export interface CommandContext {
  actor: Actor;
  correlationId: string;
  /** the client's Idempotency-Key: event ids derive from it, so a retried command never appends twice */
  idempotencyKey?: string;
  /** the client's If-Match: the revision it read; a stale one fails instead of being retried */
  expectedRevision?: bigint;
  /**
   * A try of this keyed command ended without a recorded outcome (the process died between the append and
   * the Idempotency-Key record): its events may lie anywhere in the stream, also before what is cached.
   */
  earlierTry?: boolean;
}

export interface CommandResult {
  streamId: string;
  revision: bigint;
  position: bigint;
  eventIds: string[];
  /** whether this command started the stream (a new entity) */
  created: boolean;
}

export interface HandleCommand<Command, Event extends DomainEvent, State> {
  decider: Decider<Command, Event, State>;
  streamId: string;
  command: Command;
  context: CommandContext;
  /** authorisation that depends on the entity (a stockpile's participants, a project's country) */
  authorize?: (state: State) => void;
}

export interface CommandHandlerOptions {
  /** commands waiting for one stream before new ones are refused with StreamBusyError (default 1024) */
  maxQueuedPerStream?: number;
  /**
   * Decided commands of one stream whose appends may be in flight together (default 64 when the store
   * orders appends to a stream as they were requested, else 1): they then share one commit.
   */
  pipelineDepth?: number;
  /** tries before a command that keeps losing races against other processes is refused (default 8) */
  maxAttempts?: number;
  /** the pause before try `attempt` after a race lost to another process (default: jittered, ≤ 200 ms) */
  backoff?: (attempt: number) => Promise<void>;
  /** how stored events are lifted to their current shape before folding (default: the ledger's) */
  upcasters?: Upcasters;
}

/** How many streams' folded states the handler keeps between commands. */
const CACHED_STREAMS = 10_000;

/** A stream folded up to `revision`, so the next command reads only what came after. */
interface FoldedStream {
  decider: unknown;
  revision: bigint;
  state: unknown;
  /** the last event, which the next append is hash-chained onto */
  last: HashedFields;
}

/**
 * A command as its lane handles it: the decider's functions bound to the command, over states the lane
 * keeps without knowing their type. `handle` builds it from the typed request, so the public API stays typed.
 */
interface LaneRequest {
  streamId: string;
  context: CommandContext;
  /** the decider itself, which a cached fold must have been made by */
  decider: unknown;
  initialState: unknown;
  evolve(state: unknown, event: DomainEvent): unknown;
  decide(state: unknown): DomainEvent[];
  authorize?: (state: unknown) => void;
}

function laneRequest<Command, Event extends DomainEvent, State>(
  request: HandleCommand<Command, Event, State>,
): LaneRequest {
  const { decider, command, authorize } = request;
  return {
    streamId: request.streamId,
    context: request.context,
    decider,
    initialState: decider.initialState,
    // The lane hands back only states this decider folded and events it decided or read from its stream.
    evolve: (state, event) => decider.evolve(state as State, event as Event),
    decide: (state) => decider.decide(command, state as State),
    ...(authorize ? { authorize: (state: unknown) => authorize(state as State) } : {}),
  };
}

interface Queued {
  request: LaneRequest;
  attempt: number;
  resolve(result: CommandResult): void;
  reject(error: unknown): void;
}

type AppendOutcome = { result: AppendResult } | { error: unknown };

/** A command decided and handed to the store, whose commit is not known yet. */
interface InFlight {
  item: Queued;
  /** settles with the append's outcome; never rejects */
  outcome: Promise<AppendOutcome>;
  /** the stream folded through this command's events: what the next command is decided on */
  after: FoldedStream;
  created: boolean;
}

const jitteredBackoff = (attempt: number): Promise<void> =>
  sleep(Math.random() * Math.min(200, 5 * 2 ** attempt)).then(() => undefined);

/**
 * read → fold → decide → append with the expected revision, one stream at a time.
 *
 * Commands to one stream run through a queue in this process (a lane), so two requests of this process
 * never race each other: under 32 writers on one stream nothing conflicts and nothing is refused. A
 * command is decided on the state its predecessors in the lane leave behind and appended at once, without
 * waiting for their commit: the store commits them together, in order (group commit), and refuses an
 * append whose predecessor failed, because its expected revision and hash link no longer hold. Only
 * writers in other processes can make an append fail; the commands concerned are then decided again on a
 * fresh read after a jittered pause. With If-Match the client asked for exactly one revision, so a stale
 * one fails instead.
 */
export class CommandHandler {
  /** Least recently used first: Map iteration order is insertion order. */
  private readonly folded = new Map<string, FoldedStream>();
  private readonly lanes = new Map<string, StreamLane>();
  readonly options: Required<CommandHandlerOptions>;

  constructor(
    readonly store: EventStore,
    options: CommandHandlerOptions = {},
  ) {
    this.options = {
      maxQueuedPerStream: options.maxQueuedPerStream ?? 1024,
      pipelineDepth: options.pipelineDepth ?? (store.ordersAppendsPerStream ? 64 : 1),
      maxAttempts: options.maxAttempts ?? 8,
      backoff: options.backoff ?? jitteredBackoff,
      upcasters: options.upcasters ?? LEDGER_UPCASTERS,
    };
  }

  handle<Command, Event extends DomainEvent, State>(
    request: HandleCommand<Command, Event, State>,
  ): Promise<CommandResult> {
    let lane = this.lanes.get(request.streamId);
    if (!lane) {
      lane = new StreamLane(request.streamId, this);
      this.lanes.set(request.streamId, lane);
    }
    if (lane.size >= this.options.maxQueuedPerStream) {
      return Promise.reject(new StreamBusyError(request.streamId, lane.size));
    }
    return lane.enqueue(laneRequest(request));
  }

  /** @internal the lane is idle: forget it (its stream's fold stays cached) */
  laneIdle(streamId: string, lane: StreamLane): void {
    if (this.lanes.get(streamId) === lane) this.lanes.delete(streamId);
  }

  /** @internal the cached fold, when it was made by the same decider */
  cached(streamId: string, decider: unknown): FoldedStream | undefined {
    const cached = this.folded.get(streamId);
    return cached !== undefined && cached.decider === decider ? cached : undefined;
  }

  /** @internal */
  remember(streamId: string, folded: FoldedStream): void {
    this.folded.delete(streamId);
    this.folded.set(streamId, folded);
    if (this.folded.size > CACHED_STREAMS) this.folded.delete(this.folded.keys().next().value!);
  }

  /** @internal the cached fold may be behind the store or ahead of it: read again next time */
  forget(streamId: string): void {
    this.folded.delete(streamId);
  }

  /**
   * @internal The stream's state for a command whose predecessors have all settled: the cached fold as it
   * is (`trust`), the cached fold plus the events after it, or (`whole`, or nothing cached) a full read.
   */
  async read(
    streamId: string,
    request: Pick<LaneRequest, 'decider' | 'initialState' | 'evolve'>,
    mode: 'trust' | 'since-cache' | 'whole',
  ): Promise<{ base: FoldedStream | undefined; fresh: RecordedEvent[] }> {
    const cached = mode === 'whole' ? undefined : this.cached(streamId, request.decider);
    if (cached && mode === 'trust') return { base: cached, fresh: [] };
    const fresh = await this.store.readStream(streamId, cached ? cached.revision + 1n : 0n);
    const last = fresh[fresh.length - 1];
    if (!last) return { base: cached, fresh };
    const state = fresh
      .map((event) => toDomainEvent(event, this.options.upcasters))
      .reduce((folded, event) => request.evolve(folded, event), cached ? cached.state : request.initialState);
    const base: FoldedStream = { decider: request.decider, revision: last.revision, state, last };
    this.remember(streamId, base);
    return { base, fresh };
  }

  /** @internal the envelope of the `index`-th event a command decided for `streamId` */
  envelope(streamId: string, event: DomainEvent, index: number, context: CommandContext): EventToAppend {
    return {
      eventId:
        context.idempotencyKey === undefined
          ? newId()
          : deterministicEventId(streamId, context.actor.name, context.idempotencyKey, index),
      type: event.type,
      schemaVersion: CURRENT_SCHEMA_VERSION,
      effectiveAt: event.effectiveAt,
      data: event.data,
      metadata: {
        actor: { name: context.actor.name, roles: [...context.actor.roles] },
        correlationId: context.correlationId,
        causationId: context.correlationId,
        ...(context.idempotencyKey === undefined ? {} : { idempotencyKey: context.idempotencyKey }),
      },
    };
  }
}

/**
 * A keyed command whose events are already in the stream (its first try appended, then the response was
 * lost) is answered from those events instead of being decided again. Only events read in this try can
 * hold it: the cache never moves past an append whose outcome was unknown (it moves on after a read or a
 * confirmed append). A try by a process that died is not known to the cache, so then (`earlierTry`) the
 * whole stream is read.
 */
function previousOutcome(
  streamId: string,
  history: RecordedEvent[],
  context: CommandContext,
): CommandResult | undefined {
  if (context.idempotencyKey === undefined) return undefined;
  const firstId = deterministicEventId(streamId, context.actor.name, context.idempotencyKey, 0);
  const start = history.findIndex((event) => event.eventId === firstId);
  if (start < 0) return undefined;
  const ours: RecordedEvent[] = [];
  for (let index = start; index < history.length; index += 1) {
    const event = history[index]!;
    if (
      event.eventId !==
      deterministicEventId(streamId, context.actor.name, context.idempotencyKey, ours.length)
    )
      break;
    ours.push(event);
  }
  const last = ours[ours.length - 1]!;
  return {
    streamId: last.streamId,
    revision: last.revision,
    position: last.position,
    eventIds: ours.map((event) => event.eventId),
    created: ours[0]!.revision === 0n,
  };
}

/** The queue of one stream's commands in this process, and the pipeline of its decided appends. */
class StreamLane {
  private readonly queue: Queued[] = [];
  private readonly inFlight: InFlight[] = [];
  private pumping = false;

  constructor(
    private readonly streamId: string,
    private readonly handler: CommandHandler,
  ) {}

  get size(): number {
    return this.queue.length + this.inFlight.length;
  }

  enqueue(request: LaneRequest): Promise<CommandResult> {
    return new Promise<CommandResult>((resolve, reject) => {
      this.queue.push({ request, attempt: 1, resolve, reject });
      this.wake?.();
      void this.pump();
    });
  }

  /** Set while the pump waits for an append with nothing queued: a new command wakes it to be decided. */
  private wake: (() => void) | undefined;

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 || this.inFlight.length > 0) {
        const next = this.queue[0];
        if (
          next !== undefined &&
          (this.inFlight.length === 0 ||
            (this.inFlight.length < this.handler.options.pipelineDepth && this.maySpeculate(next)))
        ) {
          this.queue.shift();
          try {
            await this.decideAndAppend(next);
          } catch (error) {
            // a read that failed (store unreachable): this command fails, the next ones try again
            next.reject(error);
          }
          continue;
        }
        // Wait for the oldest append; with nothing queued, a command that arrives meanwhile is decided at
        // once, on the state the appends in flight leave, so that it joins their commit.
        const oldest = this.inFlight[0]!.outcome.then(() => true);
        const settled =
          next === undefined
            ? await Promise.race([
                oldest,
                new Promise<false>((resolve) => (this.wake = () => resolve(false))),
              ])
            : await oldest;
        this.wake = undefined;
        if (settled) await this.settleOldest();
      }
    } catch (bug) {
      // Nothing above should throw; if it does, fail every waiting command rather than leave it hanging.
      this.handler.forget(this.streamId);
      for (const item of this.queue.splice(0)) item.reject(bug);
      for (const entry of this.inFlight.splice(0)) entry.item.reject(bug);
    } finally {
      this.pumping = false;
      this.handler.laneIdle(this.streamId, this);
    }
  }

  /**
   * Whether a command may be decided on the state its predecessors in flight will leave: not when it
   * must read the stream first (a retry, an unfinished earlier try, If-Match), nor across deciders.
   */
  private maySpeculate(item: Queued): boolean {
    const { context, decider } = item.request;
    return (
      item.attempt === 1 &&
      !context.earlierTry &&
      context.expectedRevision === undefined &&
      this.inFlight[this.inFlight.length - 1]!.after.decider === decider
    );
  }

  private async decideAndAppend(item: Queued): Promise<void> {
    const { request } = item;
    const { context, decider, streamId } = request;
    let base: FoldedStream | undefined;
    let fresh: RecordedEvent[] = [];
    if (this.inFlight.length > 0) {
      base = this.inFlight[this.inFlight.length - 1]!.after;
    } else {
      const mode =
        item.attempt === 1 && context.earlierTry
          ? 'whole'
          : item.attempt === 1 && context.expectedRevision === undefined
            ? 'trust'
            : 'since-cache';
      ({ base, fresh } = await this.handler.read(streamId, request, mode));
    }

    const replay = previousOutcome(streamId, fresh, context);
    if (replay) return item.resolve(replay);

    const current = base === undefined ? 'no-stream' : base.revision;
    const state = base === undefined ? request.initialState : base.state;
    let decided: DomainEvent[];
    let after: unknown;
    try {
      if (context.expectedRevision !== undefined && context.expectedRevision !== current) {
        throw new StaleRevisionError(streamId, context.expectedRevision, current);
      }
      request.authorize?.(state);
      decided = request.decide(state);
      // Folded before anything is sealed: an event the state cannot take is refused, never stored.
      after = decided.reduce((folded, event) => request.evolve(folded, event), state);
    } catch (refusal) {
      return this.refuse(item, refusal);
    }

    // Sealed for the revisions they get at `current`; a retry re-reads, so they are sealed afresh.
    const events = sealEvents(
      streamId,
      base?.last,
      decided.map((event, index) => this.handler.envelope(streamId, event, index, context)),
    );
    const revision = (current === 'no-stream' ? -1n : current) + BigInt(events.length);
    const outcome = this.handler.store.append(streamId, events, current).then(
      (result): AppendOutcome => ({ result }),
      (error: unknown): AppendOutcome => ({ error }),
    );
    this.inFlight.push({
      item,
      outcome,
      after: { decider, revision, state: after, last: { ...events[events.length - 1]!, streamId, revision } },
      created: current === 'no-stream',
    });
  }

  /**
   * A refusal is final only on settled state: with appends still in flight, the command waits for them
   * and is decided again (on the same state when they all committed, on a fresh read when one failed).
   */
  private async refuse(item: Queued, refusal: unknown): Promise<void> {
    if (this.inFlight.length === 0) return item.reject(refusal);
    this.queue.unshift(item);
    await this.settleAll();
  }

  private async settleOldest(): Promise<void> {
    const oldest = this.inFlight[0];
    if (!oldest) return;
    const outcome = await oldest.outcome;
    if ('result' in outcome) {
      this.inFlight.shift();
      this.confirm(oldest, outcome.result);
      return;
    }
    await this.settleAll();
  }

  /**
   * Waits for every append in flight and sorts out their outcomes in order. After a failure the ones behind
   * it fail too (they were decided on its events); every command whose append lost a race is queued again,
   * in its place, to be decided on a fresh read.
   */
  private async settleAll(): Promise<void> {
    const settled = this.inFlight.splice(0);
    const retries: Queued[] = [];
    for (const entry of settled) {
      const outcome = await entry.outcome;
      if ('result' in outcome) {
        this.confirm(entry, outcome.result);
        continue;
      }
      this.handler.forget(this.streamId);
      const { error } = outcome;
      const { context } = entry.item.request;
      if (!(error instanceof WrongExpectedRevisionError)) {
        entry.item.reject(error);
      } else if (context.expectedRevision !== undefined) {
        entry.item.reject(new StaleRevisionError(this.streamId, context.expectedRevision, error.actual));
      } else if (entry.item.attempt >= this.handler.options.maxAttempts) {
        entry.item.reject(new ConcurrencyConflictError(this.streamId));
      } else {
        entry.item.attempt += 1;
        retries.push(entry.item);
      }
    }
    if (retries.length === 0) return;
    this.queue.unshift(...retries);
    await this.handler.options.backoff(retries[0]!.attempt);
  }

  private confirm(entry: InFlight, result: AppendResult): void {
    // A deduplicated append was a retry whose events were stored already: the fold may count them twice.
    if (result.deduplicated) this.handler.forget(this.streamId);
    else this.handler.remember(this.streamId, entry.after);
    entry.item.resolve({ ...result, created: entry.created });
  }
}
