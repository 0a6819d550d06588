import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiHeader,
  ApiResponse,
  getSchemaPath,
  type HeadersObject,
  type ResponseObject,
} from '@nestjs/swagger';
import { CommandResultDto } from '../commands/command-result.dto';
import { ProblemDto } from './problem.dto';

/*
 * The responses of each route, declared beside it with the class it answers (the class the handler's return
 * type names, so the compiler holds the two together). What every route shares (401, 403, 500, the
 * correlation id, the security requirement) is added from the guard's own metadata in ledger-document.ts.
 */

/** Problem codes by HTTP status: each becomes one response whose `code` is one of them. */
export type ProblemCodes = Partial<Record<number, readonly string[]>>;

const RETRY_AFTER: HeadersObject = {
  'Retry-After': { description: 'seconds to wait before trying again', schema: { type: 'integer' } },
};

const PROBLEM_TITLES: Record<number, string> = {
  400: 'The request is not valid',
  401: 'No key, or a key the ledger does not know',
  403: 'The key may not do this',
  404: 'Not found, or not known at that time',
  405: 'The path does not take this method',
  409: 'Conflict',
  410: 'The entity was deleted from the event store',
  412: 'If-Match names a revision the entity has moved past',
  413: 'The request body (or the events it makes) is too large',
  415: 'The request body is not UTF-8 JSON',
  422: 'A ledger rule refuses the command',
  500: 'The ledger failed (the error is logged)',
  503: 'Not available now: try again',
};

/** One problem response per status; 503s say when to try again. */
export function problemResponse(
  status: number,
  codes: readonly string[],
  headers?: HeadersObject,
): ResponseObject {
  return {
    description: `${PROBLEM_TITLES[status] ?? 'Problem'}: \`code\` ${codes.map((code) => `\`${code}\``).join(', ')}`,
    ...(headers ? { headers } : status === 503 ? { headers: RETRY_AFTER } : {}),
    content: {
      'application/problem+json': {
        schema: {
          allOf: [
            { $ref: getSchemaPath(ProblemDto) },
            { type: 'object', properties: { code: { type: 'string', enum: [...codes] } } },
          ],
        },
      },
    },
  };
}

const problems = (codes: ProblemCodes) =>
  Object.entries(codes).map(([status, list]) =>
    ApiResponse({ status: Number(status), ...problemResponse(Number(status), list!) }),
  );

/** Problems of the body of any command: its shape, its values, its JSON. */
const BODY_PROBLEMS = [
  'validation-failed',
  'out-of-range',
  'precision-exceeded',
  'invalid-json',
  'nesting-too-deep',
  'bad-request',
];

const ETAG: HeadersObject = {
  ETag: {
    description: 'the entity’s revision after the command, for If-Match: `"<revision>"`',
    schema: { type: 'string' },
  },
};

export interface CommandDoc {
  /**
   * `always`: it creates its entity, 201; `first-of-stream`: 201 when it starts its stream (a country's
   * first statistic), 200 after; unset: 200.
   */
  creates?: 'always' | 'first-of-stream';
  /** it acts on an entity that must exist: 404 otherwise */
  existing?: boolean;
  /** the codes of the domain rules that may refuse it (DOMAIN.md): 422 */
  rules: readonly string[];
}

/** A command: `{streamId, revision, position, eventIds}` with its status, the headers and every refusal. */
export function ApiCommand(doc: CommandDoc) {
  const result = (status: number, description: string) =>
    ApiResponse({
      status,
      description,
      headers: ETAG,
      content: { 'application/json': { schema: { $ref: getSchemaPath(CommandResultDto) } } },
    });
  const success =
    doc.creates === 'always'
      ? [result(201, 'Created: the new entity’s stream, revision 0')]
      : doc.creates === 'first-of-stream'
        ? [
            result(201, 'Recorded, and the country’s statistics stream started with it'),
            result(200, 'Recorded in the country’s statistics stream'),
          ]
        : [result(200, 'Recorded')];
  return applyDecorators(
    ApiExtraModels(CommandResultDto),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        '1–255 printable ASCII characters. The same key and body again returns the first response and appends nothing; the same key with another body is 409',
    }),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description: '`"<revision>"`: append only if the entity is still at that revision, else 412',
    }),
    ...success,
    ...problems({
      400: BODY_PROBLEMS,
      ...(doc.existing ? { 404: ['not-found'] } : {}),
      409: ['conflict'],
      410: ['stream-deleted'],
      412: ['stale-revision'],
      413: ['payload-too-large'],
      415: ['unsupported-media-type'],
      ...(doc.rules.length === 0 ? {} : { 422: doc.rules }),
      503: ['unavailable', 'stream-busy', 'store-access-denied'],
    }),
  );
}

export interface ReportDoc {
  /** the columns of its CSV form (`Accept: text/csv` or `?format=csv`), the same constant the handler writes */
  csv?: readonly string[];
  /** it reads one entity, 404 when not known at the cut */
  notFound?: boolean;
}

/** A report or list: its JSON class (and CSV), and the refusals every cut may meet. */
export function ApiReport(type: Type<unknown>, doc: ReportDoc = {}) {
  return applyDecorators(
    ApiExtraModels(type),
    ApiResponse({
      status: 200,
      description: doc.csv ? 'The answer; as CSV, the same rows' : 'The answer',
      content: {
        'application/json': { schema: { $ref: getSchemaPath(type) } },
        ...(doc.csv
          ? {
              'text/csv': {
                schema: {
                  type: 'string',
                  description: `RFC 4180, a header row then one row per item, columns ${doc.csv.join(', ')}; a cell a spreadsheet would read as a formula (=, +, -, @, tab, CR first) starts with '`,
                },
              },
            }
          : {}),
      },
    }),
    ...problems({
      400: ['validation-failed', 'known-at-beyond-head'],
      ...(doc.notFound ? { 404: ['not-found'] } : {}),
      503: ['unavailable'],
    }),
  );
}

/** A response of plain text (metrics) or of an event stream, with its media type. */
export function ApiText(mediaType: string, description: string, problemCodes: ProblemCodes = {}) {
  return applyDecorators(
    ApiResponse({ status: 200, description, content: { [mediaType]: { schema: { type: 'string' } } } }),
    ...problems(problemCodes),
  );
}

/** A JSON answer of a route outside the reports (health, readiness). */
export function ApiJson(status: number, type: Type<unknown>, description: string) {
  return applyDecorators(
    ApiExtraModels(type),
    ApiResponse({
      status,
      description,
      content: { 'application/json': { schema: { $ref: getSchemaPath(type) } } },
    }),
  );
}
