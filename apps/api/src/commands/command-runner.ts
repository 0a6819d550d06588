import { Inject, Injectable } from '@nestjs/common';
import type { DomainEvent } from '@ledger/domain';
import { CommandHandler, type HandleCommand, StoreUnavailableError } from '@ledger/event-store';
import type { Response } from 'express';
import { ConflictProblem } from '../problems/problems';
import type { CommandRequest } from './command-request';
import type { IdempotencyRecords, ReadModelStore, StoredResponse } from '@ledger/projections';
import { READ_MODEL_STORE } from '../wiring/tokens';
import { LedgerMetrics } from '../observability/ledger-metrics';

/** What every command answers (API.md): 64-bit numbers as strings. */
export interface CommandResponseBody {
  streamId: string;
  revision: string;
  position: string;
  eventIds: string[];
}

/**
 * Runs a command for a controller: Idempotency-Key claim and replay, If-Match, the command handler, and
 * the 201/200 response with an ETag of the new revision.
 */
@Injectable()
export class CommandRunner {
  /** Keyed commands running in this process: a duplicate waits for the first instead of racing it. */
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly idempotency: IdempotencyRecords;

  constructor(
    @Inject(CommandHandler) private readonly handler: CommandHandler,
    @Inject(READ_MODEL_STORE) readModels: ReadModelStore,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
  ) {
    this.idempotency = readModels.idempotency;
  }

  async run<Command, Event extends DomainEvent, State>(
    request: CommandRequest,
    response: Response,
    command: Omit<HandleCommand<Command, Event, State>, 'context'>,
  ): Promise<CommandResponseBody> {
    const actor = request.principal.name;
    const key = request.idempotencyKey;
    if (key === undefined) return this.execute(request, response, command);
    const flight = JSON.stringify([actor, key]);
    for (let earlier = this.inFlight.get(flight); earlier; earlier = this.inFlight.get(flight)) {
      await earlier.catch(() => undefined);
    }
    const running = this.execute(request, response, command);
    this.inFlight.set(flight, running);
    try {
      return await running;
    } finally {
      this.inFlight.delete(flight);
    }
  }

  private async execute<Command, Event extends DomainEvent, State>(
    request: CommandRequest,
    response: Response,
    command: Omit<HandleCommand<Command, Event, State>, 'context'>,
  ): Promise<CommandResponseBody> {
    const actor = request.principal.name;
    const key = request.idempotencyKey;
    let earlierTry = false;
    if (request.idempotencyKey !== undefined) {
      const claim = await this.idempotency.claim(actor, request.idempotencyKey, request.fingerprint);
      if (claim.outcome === 'mismatch') {
        throw new ConflictProblem('this Idempotency-Key was used with a different request');
      }
      if (claim.outcome === 'replay') return this.respond(response, claim.response);
      earlierTry = claim.earlierTry;
    }
    const started = process.hrtime.bigint();
    try {
      const result = await this.handler.handle({
        ...command,
        context: {
          actor: { name: actor, roles: [...request.principal.roles] },
          correlationId: request.correlationId,
          ...(key === undefined ? {} : { idempotencyKey: key }),
          ...(earlierTry ? { earlierTry } : {}),
          ...(request.expectedRevision === undefined ? {} : { expectedRevision: request.expectedRevision }),
        },
      });
      const stored: StoredResponse = {
        status: result.created ? 201 : 200,
        body: {
          streamId: result.streamId,
          revision: result.revision.toString(),
          position: result.position.toString(),
          eventIds: result.eventIds,
        } satisfies CommandResponseBody,
      };
      if (key !== undefined) await this.idempotency.complete(actor, key, stored);
      this.metrics.commandFinished('accepted', process.hrtime.bigint() - started);
      return this.respond(response, stored);
    } catch (error) {
      // A refusal appended nothing: the key is free again. An unreachable store may have committed before
      // it failed to answer: the key stays claimed, so the retry is known as one and reads the whole stream.
      if (key !== undefined && !(error instanceof StoreUnavailableError))
        await this.idempotency.release(actor, key);
      this.metrics.commandFinished('refused', process.hrtime.bigint() - started);
      throw error;
    }
  }

  private respond(response: Response, stored: StoredResponse): CommandResponseBody {
    const body = stored.body as CommandResponseBody;
    response.status(stored.status);
    response.setHeader('ETag', `"${body.revision}"`);
    return body;
  }
}
