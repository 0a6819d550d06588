import { newId } from '@ledger/event-store';
import type { NextFunction, Request, Response } from 'express';

/**
 * The correlation id of the log lines being written, if any. It is set only around the (synchronous) calls
 * that write lines for a request, never for the whole of a request's handling: AsyncLocalStorage did that,
 * and on Node 20 its hooks run for every promise of the process, 15% of the API's CPU time per command.
 */
let writingFor: string | undefined;

/** The correlation id of the request the lines being written are for (a line written at startup has none). */
export const currentCorrelationId = (): string | undefined => writingFor;

/**
 * Writes log lines for the request with this correlation id: every line `write` logs carries it. `write`
 * must log synchronously; code that logs for a request after an await calls this again around the call.
 */
export function writingForRequest<T>(correlationId: string, write: () => T): T {
  const outer = writingFor;
  writingFor = correlationId;
  try {
    return write();
  } finally {
    writingFor = outer;
  }
}

/** Visible ASCII only: the id goes into response headers, event metadata and log lines unescaped. */
const CORRELATION_ID = /^[\x21-\x7e]{1,128}$/;
export const CORRELATION_HEADER = 'X-Correlation-Id';

const correlationIds = new WeakMap<Request, string>();

/**
 * The id this request's response carries, its events record and its log lines name. Requests that never
 * passed `correlateRequests` (a unit test calling a handler directly) get the client's id or a new one.
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

/** The first middleware: every response, refusals by later middleware included, says which request it answers. */
export function correlateRequests(request: Request, response: Response, next: NextFunction): void {
  response.setHeader(CORRELATION_HEADER, correlationIdOf(request));
  next();
}
