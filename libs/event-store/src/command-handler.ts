import type { Decider, DomainEvent } from '@ledger/domain';
import type { Actor, EventToAppend, RecordedEvent } from './event-envelope';
import { deterministicEventId, newId } from './event-ids';
import { type EventStore, WrongExpectedRevisionError } from './event-store.port';
import { type HashedFields, sealEvents } from './hash-chain';
import { toDomainEvent } from './upcasting';

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

/** If-Match named a revision the stream has moved past (HTTP 412). */
export class StaleRevisionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: bigint,
    readonly actual: bigint | 'no-stream',
  ) {
    super(`${streamId} is at revision ${String(actual)}, not ${expected}`);
    this.name = 'StaleRevisionError';
  }
}

/** Too many concurrent writers on one stream; the client may retry (HTTP 409). */
export class ConcurrencyConflictError extends Error {
  constructor(readonly streamId: string) {
    super(`${streamId} kept changing while the command was decided; retry`);
    this.name = 'ConcurrencyConflictError';
  }
}

const MAX_ATTEMPTS = 8;

/**
 * read → fold → decide → append with the expected revision. A concurrent append makes the append fail;
 * the command is then decided again on a fresh read, so rules that span the stream (capacity, stock on
 * hand) hold under races. With If-Match the client asked for exactly one revision, so it fails instead.
 */
/**
 * How a command reads its stream. `trust-cache`: decide on the cached fold without reading, since the
 * append's expected revision refuses a stale decision and the retry then reads (a first try without
 * If-Match). `since-cache`: read the events after the cached fold. `whole`: fold the whole stream again.
 */
type ReadMode = 'trust-cache' | 'since-cache' | 'whole';

function readMode(attempt: number, context: CommandContext): ReadMode {
  if (attempt === 1 && context.earlierTry) return 'whole';
  // If-Match is compared with the stream's revision, which a stale cache would misstate.
  return attempt === 1 && context.expectedRevision === undefined ? 'trust-cache' : 'since-cache';
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

export class CommandHandler {
  /** Least recently used first: Map iteration order is insertion order. */
  private readonly folded = new Map<string, FoldedStream>();

  constructor(private readonly store: EventStore) {}

  async handle<Command, Event extends DomainEvent, State>(
    request: HandleCommand<Command, Event, State>,
  ): Promise<CommandResult> {
    const { context, streamId, decider } = request;
    for (let attempt = 1; ; attempt += 1) {
      const { state, last, fresh } = await this.read(streamId, decider, readMode(attempt, context));
      // Only events read in this attempt can hold an earlier try of this command: the cache never moves past
      // an append whose outcome was unknown (it moves on only after a read or a confirmed append). A try by
      // a process that died, or whose answer was lost, is not known to the cache, so then (`earlierTry`) the
      // whole stream is read.
      const replay = this.previousOutcome(streamId, fresh, context);
      if (replay) return replay;

      const current = last === undefined ? 'no-stream' : last.revision;
      if (context.expectedRevision !== undefined && context.expectedRevision !== current) {
        throw new StaleRevisionError(streamId, context.expectedRevision, current);
      }
      request.authorize?.(state);
      const decided = decider.decide(request.command, state);
      // Sealed for the revisions they get at `current`; a retry re-reads, so they are sealed afresh.
      const events = sealEvents(
        streamId,
        last,
        decided.map((event, index) => this.envelope(streamId, event, index, context)),
      );
      try {
        const result = await this.store.append(streamId, events, current);
        const sealedLast = events[events.length - 1]!;
        this.remember(streamId, {
          decider,
          revision: result.revision,
          state: decided.reduce(decider.evolve, state),
          last: { ...sealedLast, streamId, revision: result.revision },
        });
        return { ...result, created: current === 'no-stream' };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (context.expectedRevision !== undefined) {
          throw new StaleRevisionError(streamId, context.expectedRevision, error.actual);
        }
        if (attempt >= MAX_ATTEMPTS) throw new ConcurrencyConflictError(streamId);
      }
    }
  }

  /** The stream's state: the cached fold plus the events after it, or (`whole`, or none cached) a full read. */
  private async read<Event extends DomainEvent, State>(
    streamId: string,
    decider: Decider<unknown, Event, State>,
    mode: ReadMode,
  ): Promise<{ state: State; last: HashedFields | undefined; fresh: RecordedEvent[] }> {
    const cached = mode === 'whole' ? undefined : this.folded.get(streamId);
    const usable = cached !== undefined && cached.decider === decider ? cached : undefined;
    if (usable && mode === 'trust-cache') {
      return { state: usable.state as State, last: usable.last, fresh: [] };
    }
    const fresh = await this.store.readStream(streamId, usable ? usable.revision + 1n : 0n);
    const state = fresh
      .map((event) => toDomainEvent(event) as Event)
      .reduce(decider.evolve, usable ? (usable.state as State) : decider.initialState);
    const last: HashedFields | undefined = fresh[fresh.length - 1] ?? usable?.last;
    if (last) this.remember(streamId, { decider, revision: last.revision, state, last });
    return { state, last, fresh };
  }

  private remember(streamId: string, folded: FoldedStream): void {
    this.folded.delete(streamId);
    this.folded.set(streamId, folded);
    if (this.folded.size > CACHED_STREAMS) this.folded.delete(this.folded.keys().next().value!);
  }

  /**
   * A keyed command whose events are already in the stream (its first try appended, then the response was
   * lost) is answered from those events instead of being decided again.
   */
  private previousOutcome(
    streamId: string,
    history: RecordedEvent[],
    context: CommandContext,
  ): CommandResult | undefined {
    const key = context.idempotencyKey;
    if (key === undefined) return undefined;
    const idOf = (index: number) => deterministicEventId(streamId, context.actor.name, key, index);
    const start = history.findIndex((event) => event.eventId === idOf(0));
    if (start < 0) return undefined;
    const ours: RecordedEvent[] = [];
    for (let index = start; index < history.length; index += 1) {
      const event = history[index]!;
      if (event.eventId !== idOf(ours.length)) break;
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

  private envelope(
    streamId: string,
    event: DomainEvent,
    index: number,
    context: CommandContext,
  ): EventToAppend {
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

/** Every event type is at schema version 1 so far; a new shape raises it and adds an upcaster. */
export const CURRENT_SCHEMA_VERSION = 1;
