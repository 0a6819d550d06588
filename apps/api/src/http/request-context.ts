import { newId } from '@ledger/event-store';
import type { NextFunction, Request, Response } from 'express';
import { AsyncLocalStorage } from 'node:async_hooks';

/** What code running for one request may want to know without being handed the request. */
export interface RequestContext {
  correlationId: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** The correlation id of the request being handled, if any (a log line written at startup has none). */
export const currentCorrelationId = (): string | undefined => storage.getStore()?.correlationId;

/** Runs `work` as if it were handling a request with this correlation id. */
export const runWithCorrelationId = <T>(correlationId: string, work: () => T): T =>
  storage.run({ correlationId }, work);

/** Visible ASCII only: the id goes into response headers, event metadata and log lines unescaped. */
const CORRELATION_ID = /^[\x21-\x7e]{1,128}$/;
export const CORRELATION_HEADER = 'X-Correlation-Id';

const correlationIds = new WeakMap<Request, string>();

/**
 * The id this request's response carries and its events record. Requests that never passed
 * `correlateRequests` (a unit test calling a handler directly) get the client's id or a new one.
 */
export function correlationIdOf(request: Request): string {
  let correlationId = correlationIds.get(request);
  if (correlationId === undefined) {
    const supplied = request.header('x-correlation-id');
    correlationId = supplied !== undefined && CORRELATION_ID.test(supplied) ? supplied : newId();
    correlationIds.set(request, correlationId);
  }
  return correlationId;
}

/**
 * The first middleware: every response, refusals by later middleware included, says which request it
 * answers, and everything after it runs in the request's context.
 */
export function correlateRequests(request: Request, response: Response, next: NextFunction): void {
  const correlationId = correlationIdOf(request);
  response.setHeader(CORRELATION_HEADER, correlationId);
  storage.run({ correlationId }, next);
}
