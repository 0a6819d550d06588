import { Inject, Injectable } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { parseInstant } from '@ledger/domain';
import type { EventStore } from '@ledger/event-store';
import { type Bitemporal, MAX_PAGE_SIZE, type PageRequest, type Projector } from '@ledger/projections';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Problem, UnavailableProblem, ValidationProblem } from '../problems/problems';
import { EVENT_STORE, PROJECTOR } from '../wiring/tokens';
import { GLOBAL_POSITION } from './log-position';

const MAX_WAIT_MS = 5000;

/** The query parameters every report accepts (API.md). */
export class ReportQueryDto {
  @ApiPropertyOptional({ description: 'effective date or date-time; default now', example: '2026-06-01' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  asOf?: string;

  @ApiPropertyOptional({
    description:
      'recorded time (ISO date-time) or global position; default now. Beyond the head of the log: 400 known-at-beyond-head',
    example: '2026-07-01T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  knownAt?: string;

  @ApiPropertyOptional({
    description: 'wait up to 5 s until the read models reach this global position, else 503',
    example: '42',
  })
  @IsOptional()
  @Matches(GLOBAL_POSITION, { message: 'minPosition must be a global position (a non-negative integer)' })
  minPosition?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], description: 'csv: as Accept: text/csv' })
  @IsOptional()
  @Matches(/^(json|csv)$/, { message: 'format must be json or csv' })
  format?: string;
}

/** Every list also takes a page: `limit` (1–1000, default 100) and the `cursor` of the previous page. */
export class ListQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ description: `items per page, 1 to ${MAX_PAGE_SIZE}; default 100`, example: '100' })
  @IsOptional()
  @Matches(/^[1-9][0-9]{0,3}$/, { message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` })
  limit?: string;

  @ApiPropertyOptional({ description: 'the nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

export function pageOf(query: ListQueryDto, defaultLimit = 100): PageRequest {
  const limit = Number(query.limit ?? defaultLimit);
  if (limit > MAX_PAGE_SIZE) {
    throw new ValidationProblem([{ field: 'limit', message: `limit must be at most ${MAX_PAGE_SIZE}` }]);
  }
  return { limit, ...(query.cursor === undefined ? {} : { cursor: query.cursor }) };
}

/**
 * Turns a report's query into its cut, and makes it safe to answer: `knownAt` beyond the head of the log
 * is refused (its answer could still change), and the read models are awaited (bounded) up to
 * `minPosition`, and up to a `knownAt` position, so an answer never silently misses what it asked for.
 */
@Injectable()
export class ReportCuts {
  constructor(
    @Inject(PROJECTOR) private readonly projector: Projector,
    @Inject(EVENT_STORE) private readonly events: EventStore,
  ) {}

  /** `readModels`: those the query reads; `minPosition` waits for them, not for a model parked elsewhere. */
  async cut(query: ReportQueryDto, readModels?: readonly string[]): Promise<Bitemporal> {
    const now = new Date().toISOString();
    const asOf = query.asOf === undefined ? now : parseInstant(query.asOf, 'asOf');
    let cut: Bitemporal = { asOf };
    let wait = query.minPosition === undefined ? undefined : BigInt(query.minPosition);
    if (query.knownAt !== undefined) {
      if (GLOBAL_POSITION.test(query.knownAt)) {
        const position = BigInt(query.knownAt);
        const head = await this.events.headPosition();
        if (position > head) throw beyondHead(`position ${position} is beyond the head of the log (${head})`);
        cut = { asOf, knownAt: { position } };
        if (wait === undefined || position > wait) wait = position;
      } else {
        if (!/T/.test(query.knownAt)) {
          throw new ValidationProblem([
            { field: 'knownAt', message: 'knownAt must be a date-time with offset or a global position' },
          ]);
        }
        const recordedAt = parseInstant(query.knownAt, 'knownAt');
        if (recordedAt > now) throw beyondHead(`${recordedAt} is in the future`);
        cut = { asOf, knownAt: { recordedAt } };
      }
    }
    if (wait !== undefined && !(await this.projector.waitFor(wait, MAX_WAIT_MS, readModels))) {
      throw new UnavailableProblem(
        `the read models are at position ${this.projector.position(readModels)}, not yet ${wait}`,
        1,
      );
    }
    return cut;
  }
}

const beyondHead = (detail: string) =>
  new Problem(
    400,
    'known-at-beyond-head',
    'knownAt is beyond the head of the log',
    `${detail}: its answer could still change`,
    {
      errors: [{ field: 'knownAt', message: detail }],
    },
  );
