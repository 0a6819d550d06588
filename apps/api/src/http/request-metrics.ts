import type { NextFunction, Request, Response } from 'express';
import type { LedgerMetrics } from '../observability/ledger-metrics';
import { routeOf } from './route-table';

/** The `route` label of requests to a path no route has (404s, the API docs). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Counts every answered request, refusals before routing (401, 405, 413, 415) included, under its route
 * pattern; the pattern is known once the route table has seen the request, which is later than this.
 */
export function countRequests(metrics: LedgerMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    response.once('finish', () =>
      metrics.httpRequestAnswered(
        routeOf(request)?.pattern ?? UNMATCHED_ROUTE,
        request.method,
        response.statusCode,
      ),
    );
    next();
  };
}
