import type { Decider, DomainEvent } from '@ledger/domain';
import type { Actor, EventToAppend, RecordedEvent } from './event-envelope';
import { deterministicEventId, newId } from './event-ids';
import { type EventStore, WrongExpectedRevisionError } from './event-store.port';
import { sealEvents } from './hash-chain';
import { toDomainEvent } from './upcasting';

/** Who asks, why, and under which guarantees. */
export interface CommandContext {
  actor: Actor;
  correlationId: string;
  /** the client's Idempotency-Key: event ids derive from it, so a retried command never appends twice */
  idempotencyKey?: string;
  /** the client's If-Match: the revision it read; a stale one fails instead of being retried */
  expectedRevision?: bigint;
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
export class CommandHandler {
  constructor(private readonly store: EventStore) {}

  async handle<Command, Event extends DomainEvent, State>(
    request: HandleCommand<Command, Event, State>,
  ): Promise<CommandResult> {
    const { context, streamId } = request;
    for (let attempt = 1; ; attempt += 1) {
      const history = await this.store.readStream(streamId);
      const replay = this.previousOutcome(history, context);
      if (replay) return replay;

      const current = history.length === 0 ? 'no-stream' : history[history.length - 1]!.revision;
      if (context.expectedRevision !== undefined && context.expectedRevision !== current) {
        throw new StaleRevisionError(streamId, context.expectedRevision, current);
      }
      const state = history
        .map((event) => toDomainEvent(event) as Event)
        .reduce(request.decider.evolve, request.decider.initialState);
      request.authorize?.(state);
      const decided = request.decider.decide(request.command, state);
      // Sealed for the revisions they get at `current`; a retry re-reads, so they are sealed afresh.
      const events = sealEvents(
        streamId,
        history[history.length - 1],
        decided.map((event, index) => this.envelope(event, index, context)),
      );
      try {
        const result = await this.store.append(streamId, events, current);
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

  /**
   * A keyed command whose events are already in the stream (its first try appended, then the response was
   * lost) is answered from those events instead of being decided again.
   */
  private previousOutcome(history: RecordedEvent[], context: CommandContext): CommandResult | undefined {
    if (context.idempotencyKey === undefined) return undefined;
    const firstId = deterministicEventId(context.actor.name, context.idempotencyKey, 0);
    const start = history.findIndex((event) => event.eventId === firstId);
    if (start < 0) return undefined;
    const ours: RecordedEvent[] = [];
    for (let index = start; index < history.length; index += 1) {
      const event = history[index]!;
      if (event.eventId !== deterministicEventId(context.actor.name, context.idempotencyKey, ours.length))
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

  private envelope(event: DomainEvent, index: number, context: CommandContext): EventToAppend {
    return {
      eventId:
        context.idempotencyKey === undefined
          ? newId()
          : deterministicEventId(context.actor.name, context.idempotencyKey, index),
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
