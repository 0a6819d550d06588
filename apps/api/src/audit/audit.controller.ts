import { Controller, Get, Inject, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import {
  chainVerificationToJson,
  envelopeToJson,
  type EventStore,
  readLogPages,
  storeDigest,
  verifyStore,
} from '@ledger/event-store';
import { IsOptional, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { Roles } from '../auth/auth.decorators';
import { EVENT_STORE } from '../wiring/tokens';
import { NotFoundProblem, ValidationProblem } from '../problems/problems';

const POSITION = /^(0|[1-9][0-9]{0,18})$/;
const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;
const NDJSON = 'application/x-ndjson';
/** Events per chunk of an NDJSON export: one page in memory at a time. */
const EXPORT_PAGE = 1000;
/** The head when a log response was made: an export ends there, and a client can show progress. */
export const HEAD_POSITION_HEADER = 'X-Ledger-Head-Position';

export class AuditLogQueryDto {
  @ApiPropertyOptional({
    description: 'exclusive: events strictly after this global position; default 0 (from the start)',
    example: '0',
  })
  @IsOptional()
  @Matches(POSITION, { message: 'fromPosition must be a global position (a non-negative integer)' })
  fromPosition?: string;

  @ApiPropertyOptional({ description: `events per page, 1 to ${MAX_LIMIT}; default ${DEFAULT_LIMIT}` })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,5}$/, { message: `limit must be an integer from 1 to ${MAX_LIMIT}` })
  limit?: string;

  @ApiPropertyOptional({ enum: ['json', 'ndjson'], description: 'ndjson: as Accept: application/x-ndjson' })
  @IsOptional()
  @Matches(/^(json|ndjson)$/, { message: 'format must be json or ndjson' })
  format?: string;
}

export class AuditDigestQueryDto {
  @ApiPropertyOptional({
    description: 'the digest covers every event at or before this global position; default the head',
    example: '42',
  })
  @IsOptional()
  @Matches(POSITION, { message: 'position must be a global position (a non-negative integer)' })
  position?: string;
}

/**
 * Tamper evidence for auditors: the global log (paged, or streamed whole as NDJSON), a verification that
 * recomputes every hash chain, and the log digest to publish. Everything is read from the event store
 * itself, never from read models.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get('log')
  @Roles('auditor')
  @ApiOperation({
    summary: 'The global log in position order: a page as JSON, or the whole log as NDJSON',
    description:
      'JSON: `{events, nextPosition, hasMore}`; pass `nextPosition` as the next `fromPosition`. ' +
      '`Accept: application/x-ndjson` (or `?format=ndjson`) streams every event after `fromPosition` up to ' +
      `the head at the start of the response (header ${HEAD_POSITION_HEADER}), one JSON event per line.`,
  })
  @ApiProduces('application/json', NDJSON)
  async log(
    @Query() query: AuditLogQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const fromPosition = BigInt(query.fromPosition ?? '0');
    const limit = Number(query.limit ?? DEFAULT_LIMIT);
    if (limit > MAX_LIMIT) {
      throw new ValidationProblem([{ field: 'limit', message: `limit must be at most ${MAX_LIMIT}` }]);
    }
    const head = await this.store.headPosition();
    response.setHeader(HEAD_POSITION_HEADER, head.toString());
    if (wantsNdjson(request, query.format)) {
      return new StreamableFile(ndjsonLines(this.store, fromPosition, head), {
        type: `${NDJSON}; charset=utf-8`,
      });
    }
    const events = await this.store.readAll({ fromPosition, limit });
    const nextPosition = events.length > 0 ? events[events.length - 1]!.position : fromPosition;
    return {
      events: events.map(envelopeToJson),
      nextPosition: nextPosition.toString(),
      hasMore: nextPosition < head,
    };
  }

  @Get('verify')
  @Roles('auditor')
  @ApiOperation({
    summary: 'Recomputes every hash chain over the whole log',
    description:
      '`{verified, events, streams, lastPosition, digest, failures[], failureCount}`; each failure names ' +
      'streamId, revision, eventId and position, with a `kind` (hash-mismatch, missing-hash, broken-link, ' +
      'revision-gap, revision-order, position-order, recorded-at-order) and a message. At most 1000 ' +
      'failures are listed; failureCount counts them all.',
  })
  async verify() {
    return chainVerificationToJson(await verifyStore(this.store));
  }

  @Get('digest')
  @Roles('auditor')
  @ApiOperation({
    summary: 'The log digest up to a position: a value to publish, to prove the log unchanged later',
    description:
      'digest_0 = 64 zeros; digest_n = sha256(digest_{n-1} + hash_n) over the event hashes in position ' +
      'order (hex strings concatenated). 400 for a position that is not a number, 404 for one beyond ' +
      'the head.',
  })
  async digest(@Query() query: AuditDigestQueryDto) {
    const head = await this.store.headPosition();
    const position = query.position === undefined ? head : BigInt(query.position);
    if (position > head) {
      throw new NotFoundProblem(`the log has not reached position ${position}; its head is ${head}`);
    }
    const digest = await storeDigest(this.store, position);
    return { position: digest.position.toString(), digest: digest.digest, events: digest.events };
  }
}

function wantsNdjson(request: Request, format: string | undefined): boolean {
  if (format !== undefined) return format === 'ndjson';
  return request.accepts(['application/json', NDJSON]) === NDJSON;
}

/**
 * The log after `fromPosition` up to `head`, a page per chunk. The readable pulls the next page only when
 * the response has taken the last one (pipe's backpressure), and stops reading if the client goes away.
 */
function ndjsonLines(store: EventStore, fromPosition: bigint, head: bigint): Readable {
  async function* chunks() {
    for await (const page of readLogPages(store, { fromPosition, toPosition: head, pageSize: EXPORT_PAGE })) {
      yield page.map((event) => `${JSON.stringify(envelopeToJson(event))}\n`).join('');
    }
  }
  return Readable.from(chunks(), { objectMode: true, highWaterMark: 1 });
}
