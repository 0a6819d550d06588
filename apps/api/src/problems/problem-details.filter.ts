import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { DomainError } from '@ledger/domain';
import {
  AppendTooLargeError,
  ConcurrencyConflictError,
  DuplicateEventIdError,
  StaleRevisionError,
  StoreAccessDeniedError,
  StoreUnavailableError,
  StreamBusyError,
  StreamDeletedError,
} from '@ledger/event-store';
import { InvalidCursorError } from '@ledger/projections';
import type { Request, Response } from 'express';
import { correlationIdOf, writingForRequest } from '../http/request-context';
import { Problem, ValidationProblem } from './problems';

const DOMAIN_STATUS: Record<DomainError['kind'], number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  rule: 422,
};
const DOMAIN_TITLE: Record<DomainError['kind'], string> = {
  invalid: 'The request is not valid',
  'not-found': 'Not found',
  conflict: 'Conflict',
  rule: 'A ledger rule refuses this command',
};

/** Status codes Nest or Express raise themselves, with the stable code each maps to. */
const HTTP_CODES: Record<number, string> = {
  400: 'bad-request',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
};
const HTTP_TITLES: Record<number, string> = {
  404: 'Not found',
  405: 'The path does not take this method',
  413: 'The request body is too large',
  415: 'The request body must be JSON',
};

/** A URL's path: query strings carry what must not be echoed (a key sent as `?key=`), so none is kept. */
export const withoutQuery = (url: string): string => url.replace(/[?#][\s\S]*$/, '');

/** Maps every error to an RFC 9457 problem; only real server faults become 5xx. */
export function toProblem(error: unknown): Problem {
  if (error instanceof Problem) return error;
  if (error instanceof DomainError) {
    if (error.kind === 'invalid') {
      return error.code === 'validation-failed'
        ? new ValidationProblem([{ field: error.field ?? '(body)', message: error.message }])
        : new Problem(400, error.code, DOMAIN_TITLE.invalid, error.message, {
            errors: [{ field: error.field ?? '(body)', message: error.message }],
          });
    }
    return new Problem(DOMAIN_STATUS[error.kind], error.code, DOMAIN_TITLE[error.kind], error.message);
  }
  if (error instanceof InvalidCursorError) {
    return new ValidationProblem([{ field: 'cursor', message: error.message }]);
  }
  if (error instanceof StaleRevisionError) {
    return new Problem(412, 'stale-revision', 'The entity changed since you read it', error.message, {
      currentRevision: typeof error.actual === 'bigint' ? error.actual.toString() : null,
    });
  }
  if (error instanceof ConcurrencyConflictError || error instanceof DuplicateEventIdError) {
    return new Problem(409, 'conflict', 'Conflict', error.message);
  }
  if (error instanceof StreamBusyError) {
    return new Problem(
      503,
      'stream-busy',
      'Too many commands are waiting for this entity',
      error.message,
      {},
      { 'Retry-After': '1' },
    );
  }
  if (error instanceof StoreUnavailableError) {
    return new Problem(
      503,
      'unavailable',
      'The event store is unavailable',
      error.message,
      {},
      { 'Retry-After': '1' },
    );
  }
  if (error instanceof StreamDeletedError) {
    return new Problem(410, 'stream-deleted', 'The entity was deleted from the event store', error.message);
  }
  if (error instanceof AppendTooLargeError) {
    return new Problem(
      413,
      'payload-too-large',
      'The command’s events are too large to store',
      error.message,
      {
        ...(error.maxAppendSize === undefined ? {} : { maxAppendSize: error.maxAppendSize }),
      },
    );
  }
  if (error instanceof StoreAccessDeniedError) {
    // The ledger's own credentials were refused: a deployment fault that no retry of the client cures.
    return new Problem(
      503,
      'store-access-denied',
      'The event store refused the ledger',
      'the event store refused the ledger access; the error is logged',
    );
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = HTTP_CODES[status] ?? (status >= 500 ? 'internal-error' : 'bad-request');
    // The router's 404 says `Cannot GET <url>`, query string and all: keep only the path of any URL.
    const message = error.message.replace(/\/\S*/g, withoutQuery);
    return HTTP_TITLES[status]
      ? new Problem(status, code, HTTP_TITLES[status], message)
      : new Problem(status, code, message, undefined);
  }
  return new Problem(
    500,
    'internal-error',
    'Internal server error',
    'the ledger failed; the error is logged',
  );
}

@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Problem');

  catch(error: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const response = context.getResponse<Response>();
    const request = context.getRequest<Request>();
    const problem = toProblem(error);
    // Server faults an operator must fix are logged; an unavailable store is expected and retried.
    if (problem.status >= 500 && problem.code !== 'unavailable') {
      writingForRequest(correlationIdOf(request), () =>
        this.logger.error(
          `${request.method} ${withoutQuery(request.originalUrl)}`,
          error instanceof Error ? error.stack : String(error),
        ),
      );
    }
    sendProblem(response, problem, request.originalUrl);
  }
}

/** `instance` is the request's URL; only its path goes into the problem. */
export function sendProblem(response: Response, problem: Problem, instance?: string): void {
  if (response.headersSent) return;
  for (const [name, value] of Object.entries(problem.headers)) response.setHeader(name, value);
  response
    .status(problem.status)
    .type('application/problem+json')
    .send(JSON.stringify(problem.body(instance === undefined ? undefined : withoutQuery(instance))));
}
