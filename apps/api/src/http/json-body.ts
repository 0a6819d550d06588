import type { NestExpressApplication } from '@nestjs/platform-express';
import { json, type NextFunction, type Request, type Response } from 'express';
import { sendProblem } from '../problems/problem-details.filter';
import { Problem } from '../problems/problems';
import { routeOf } from './route-table';

const JSON_TYPES = ['application/json', 'application/*+json'];

/** API.md: JSON nested deeper than this is refused. Real bodies of the API nest three levels at most. */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }

/**
 * Whether UTF-8 JSON text nests arrays and objects deeper than `limit`, in one pass over the bytes that
 * counts brackets outside strings. It runs before the parse and anything recursive after it (validation,
 * canonical JSON), which a deep enough body would drive into a stack overflow. Bytes of multi-byte
 * characters are all ≥ 0x80, so they are never taken for a quote or a bracket.
 */
export function nestsDeeperThan(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === BACKSLASH) escaped = true;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (OPEN.has(byte)) {
      if (++depth > limit) return true;
    } else if (CLOSE.has(byte)) {
      depth--;
    }
  }
  return false;
}

/** Thrown from body-parser's `verify`, which hands it to the error middleware with this `type`. */
class TooDeepError extends Error {
  readonly type = 'entity.too.deep';
  readonly status = 400;
}

function refuseDeepNesting(_request: Request, _response: Response, body: Buffer): void {
  if (nestsDeeperThan(body, MAX_JSON_DEPTH)) {
    throw new TooDeepError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
}

/** Content-Length 0 (or none, and no chunked body) is no body: a bodiless POST needs no Content-Type. */
const carriesBody = (request: Request): boolean =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length']) > 0;

/** RFC 8259 §8.1: JSON exchanged between systems is UTF-8; the nesting scan relies on it too. */
const charsetOf = (request: Request): string | undefined =>
  /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1]?.toLowerCase();

/**
 * A body that is not JSON is 415, on every route: parsing only JSON and skipping the rest would hand the
 * route an empty body, and the client a list of "missing" fields that it did send. A path no route has
 * goes on to the router's 404 instead.
 */
function requireJsonBodies(request: Request, response: Response, next: NextFunction): void {
  if (!carriesBody(request) || !routeOf(request)?.routed) return next();
  const charset = charsetOf(request);
  if (request.is(JSON_TYPES) && (charset === undefined || charset === 'utf-8' || charset === 'utf8')) {
    return next();
  }
  sendProblem(
    response,
    new Problem(
      415,
      'unsupported-media-type',
      'The request body must be JSON',
      'send the body as UTF-8 JSON with `Content-Type: application/json`',
    ),
    request.originalUrl,
  );
}

/** Body-parser failures happen before Nest's routing, so they get their own problem mapping. */
function bodyParserProblems(error: unknown, request: Request, response: Response, next: NextFunction): void {
  const failure = error as { type?: string; status?: number; limit?: number };
  if (failure?.type === 'entity.too.large') {
    return sendProblem(
      response,
      new Problem(
        413,
        'payload-too-large',
        'The request body is too large',
        `the limit is ${failure.limit} bytes`,
      ),
      request.originalUrl,
    );
  }
  if (failure?.type === 'entity.parse.failed') {
    return sendProblem(
      response,
      new Problem(400, 'invalid-json', 'The request body is not valid JSON', undefined, {
        errors: [{ field: '(body)', message: 'not valid JSON' }],
      }),
      request.originalUrl,
    );
  }
  if (failure?.type === 'entity.too.deep') {
    return sendProblem(
      response,
      new Problem(
        400,
        'nesting-too-deep',
        'The request body is nested too deeply',
        `JSON nested deeper than ${MAX_JSON_DEPTH} levels is refused`,
        { errors: [{ field: '(body)', message: `nested deeper than ${MAX_JSON_DEPTH} levels` }] },
      ),
      request.originalUrl,
    );
  }
  if (failure?.status === 415) {
    return sendProblem(
      response,
      new Problem(415, 'unsupported-media-type', 'The request body cannot be decoded'),
      request.originalUrl,
    );
  }
  if (failure?.status && failure.status >= 400 && failure.status < 500) {
    return sendProblem(
      response,
      new Problem(failure.status, 'bad-request', 'The request cannot be read'),
      request.originalUrl,
    );
  }
  next(error);
}

/** JSON request bodies: 415 for anything else, then the size limit, the nesting limit and the parse. */
export function acceptJsonBodies(app: NestExpressApplication, limitBytes: number): void {
  app.use(requireJsonBodies);
  // express.json, as Nest's useBodyParser would make it, but with `verify`, which that method withholds.
  app.use(json({ limit: limitBytes, type: JSON_TYPES, verify: refuseDeepNesting }));
  app.use(bodyParserProblems);
}
