import { Controller, Get, Inject, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { chainVerificationToJson, type EventStore, type logEntryToJson } from '@ledger/event-store';
import { IsOptional, Matches } from 'class-validator';
import type { Request, Response } from 'express';
import { Readable } from 'node:stream';
import { Roles } from '../auth/auth.decorators';
import { EVENT_STORE } from '../wiring/tokens';
import { AuditTrail, type VerificationProgress } from './audit-trail';
import { NotFoundProblem, ValidationProblem } from '../problems/problems';
import { FromPositionQueryDto, GLOBAL_POSITION } from '../queries/log-position';

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;
const NDJSON = 'application/x-ndjson';
/** Events per chunk of an NDJSON export: one page in memory at a time. */
const EXPORT_PAGE = 1000;
/** The head when a log response was made: an export ends there, and a client can show progress. */
export const HEAD_POSITION_HEADER = 'X-Ledger-Head-Position';

export class AuditLogQueryDto extends FromPositionQueryDto {
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
  @Matches(GLOBAL_POSITION, { message: 'position must be a global position (a non-negative integer)' })
  position?: string;

  @ApiPropertyOptional({
    description:
      'or: the digest covers the first `sequence` events of the global order (the same in every store a ledger moves to)',
    example: '42',
  })
  @IsOptional()
  @Matches(GLOBAL_POSITION, { message: 'sequence must be a number of events (a non-negative integer)' })
  sequence?: string;

  @ApiPropertyOptional({
    enum: ['1', '2'],
    description:
      'the digest version: 2 (default) covers content, sequence and recorded time; 1 for digests published before it',
  })
  @IsOptional()
  @Matches(/^[12]$/, { message: 'version must be 1 or 2' })
  version?: string;
}

export class AuditVerifyQueryDto {
  @ApiPropertyOptional({
    enum: ['1', '2'],
    description: 'the version of the digest in the result (default 2)',
  })
  @IsOptional()
  @Matches(/^[12]$/, { message: 'digestVersion must be 1 or 2' })
  digestVersion?: string;
}

/**
 * Tamper evidence for auditors: the global log (paged, or streamed whole as NDJSON), each event with its
 * sequence and the running digest through it; a verification that recomputes every hash chain and the
 * digest; the log digest to publish. Everything is read from the event store itself; the log index only
 * spares the walk from the start.
 */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(AuditTrail) private readonly trail: AuditTrail,
  ) {}

  @Get('log')
  @Roles('auditor')
  @ApiOperation({
    summary: 'The global log in position order: a page as JSON, or the whole log as NDJSON',
    description:
      'JSON: `{events, nextPosition, hasMore}`; pass `nextPosition` as the next `fromPosition`. Each event carries ' +
      '`sequence` (its ordinal in the global order) and `digest` (the log digest through it). ' +
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
      const trail = this.trail;
      async function* chunks() {
        for await (const page of trail.entries(fromPosition, head, EXPORT_PAGE)) {
          yield page.map((entry) => `${JSON.stringify(entry)}\n`).join('');
        }
      }
      // pulls the next page only when the response has taken the last (backpressure), stops if the client goes
      return new StreamableFile(Readable.from(chunks(), { objectMode: true, highWaterMark: 1 }), {
        type: `${NDJSON}; charset=utf-8`,
      });
    }
    const events: ReturnType<typeof logEntryToJson>[] = [];
    for await (const page of this.trail.entries(fromPosition, head, limit)) {
      events.push(...page);
      break;
    }
    const nextPosition = events.length > 0 ? events[events.length - 1]!.position : fromPosition.toString();
    return { events, nextPosition, hasMore: BigInt(nextPosition) < head };
  }

  @Get('verify')
  @Roles('auditor')
  @ApiOperation({
    summary: 'Recomputes every hash chain and the log digest over the whole log',
    description:
      '`{verified, events, streams, sequence, lastPosition, densePositions, digest, digestVersion, failures[], failureCount}`; ' +
      'each failure names streamId, revision, eventId and position, with a `kind` (hash-mismatch, missing-hash, ' +
      'broken-link, revision-gap, revision-order, position-order, digest-mismatch) and a message. A digest-mismatch ' +
      'means the digest recomputed at a milestone of the log index (every 1,024 events) differs from the one kept ' +
      'when the events were projected: a recorded time, a position or an event between the two milestones changed. ' +
      'At most 1000 failures are listed; failureCount counts them all. `Accept: application/x-ndjson` streams ' +
      'progress lines `{position, head, events}` and then the result.',
  })
  @ApiProduces('application/json', NDJSON)
  async verify(
    @Query() query: AuditVerifyQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const digestVersion = query.digestVersion === '1' ? 1 : 2;
    if (!wantsNdjson(request, undefined)) {
      return chainVerificationToJson(await this.trail.verify({ digestVersion }));
    }
    const trail = this.trail;
    async function* lines() {
      const progress: VerificationProgress[] = [];
      let wake: (() => void) | undefined;
      let result: ReturnType<typeof chainVerificationToJson> | undefined;
      const done = trail
        .verify({
          digestVersion,
          onProgress: (step) => {
            progress.push(step);
            wake?.();
          },
        })
        .then((verification) => {
          result = chainVerificationToJson(verification);
          wake?.();
        });
      while (result === undefined) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          if (progress.length > 0 || result !== undefined) resolve();
        });
        for (const step of progress.splice(0)) {
          yield `${JSON.stringify({ position: step.position.toString(), head: step.head.toString(), events: step.events })}\n`;
        }
      }
      await done;
      yield `${JSON.stringify(result)}\n`;
    }
    response.setHeader('Content-Type', `${NDJSON}; charset=utf-8`);
    return new StreamableFile(Readable.from(lines(), { objectMode: true, highWaterMark: 1 }), {
      type: `${NDJSON}; charset=utf-8`,
    });
  }

  @Get('digest')
  @Roles('auditor')
  @ApiOperation({
    summary:
      'The log digest up to a position or a number of events: a value to publish, to prove the log unchanged later',
    description:
      'Version 2 (default): digest_0 = 64 zeros; digest_n = sha256(canonicalJson({digest: digest_{n-1}, hash: h_n, ' +
      'recordedAt: recordedAt_n, sequence: "n"})) over the events in global order, h_n the event hash and recordedAt_n ' +
      'the running maximum of recorded times: it covers every event’s content, order, sequence and recorded time. ' +
      'Version 1 (`?version=1`, for digests published before): sha256(digest_{n-1} + h_n). 400 for a cut that is not ' +
      'a number, or for both a position and a sequence; 404 for one beyond the head.',
  })
  async digest(@Query() query: AuditDigestQueryDto) {
    if (query.position !== undefined && query.sequence !== undefined) {
      throw new ValidationProblem([
        { field: 'sequence', message: 'give a position or a sequence, not both' },
      ]);
    }
    const head = await this.store.headPosition();
    const cut: { position: bigint } | { sequence: bigint } =
      query.sequence !== undefined
        ? { sequence: BigInt(query.sequence) }
        : { position: query.position === undefined ? head : BigInt(query.position) };
    if ('position' in cut && cut.position > head) {
      throw new NotFoundProblem(`the log has not reached position ${cut.position}; its head is ${head}`);
    }
    const version = query.version === '1' ? 1 : 2;
    const digest = version === 1 ? await this.trail.legacyDigest(cut, 1) : await this.trail.digest(cut);
    if ('sequence' in cut && digest.sequence < cut.sequence) {
      throw new NotFoundProblem(`the log holds ${digest.sequence} events, not ${cut.sequence}`);
    }
    return {
      position: digest.position.toString(),
      sequence: digest.sequence.toString(),
      digest: digest.digest,
      version,
      events: digest.events,
    };
  }
}

function wantsNdjson(request: Request, format: string | undefined): boolean {
  if (format !== undefined) return format === 'ndjson';
  return request.accepts(['application/json', NDJSON]) === NDJSON;
}
