import { Inject, Injectable } from '@nestjs/common';
import { type Bitemporal } from '@ledger/projections';
import type { ReadModelProgress } from '@ledger/projections';
import { READ_MODEL_PROGRESS } from '../ledger/ledger.tokens';
import { parseInstant } from '@ledger/domain';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { UnavailableProblem, ValidationProblem } from '../problems/problems';

const POSITION = /^(0|[1-9][0-9]{0,18})$/;
const MAX_WAIT_MS = 5000;

/** The query parameters every report accepts (API.md). */
export class ReportQueryDto {
  @ApiPropertyOptional({ description: 'effective date or date-time; default now', example: '2026-06-01' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  asOf?: string;

  @ApiPropertyOptional({
    description: 'recorded time (ISO date-time) or global position; default now',
    example: '2026-07-01T00:00:00Z',
  })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  knownAt?: string;

  @ApiPropertyOptional({
    description: 'wait up to 5 s until the read models reach this global position',
    example: '42',
  })
  @IsOptional()
  @Matches(POSITION, { message: 'minPosition must be a global position (a non-negative integer)' })
  minPosition?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'] })
  @IsOptional()
  @Matches(/^(json|csv)$/, { message: 'format must be json or csv' })
  format?: string;
}

export function parseCut(query: ReportQueryDto): Bitemporal {
  const asOf = query.asOf === undefined ? new Date().toISOString() : parseInstant(query.asOf, 'asOf');
  if (query.knownAt === undefined) return { asOf };
  if (POSITION.test(query.knownAt)) return { asOf, knownAt: { position: BigInt(query.knownAt) } };
  if (!/T/.test(query.knownAt)) {
    throw new ValidationProblem([
      { field: 'knownAt', message: 'knownAt must be a date-time with offset or a global position' },
    ]);
  }
  return { asOf, knownAt: { recordedAt: parseInstant(query.knownAt, 'knownAt') } };
}

/** Read-your-writes: a query carrying `minPosition` waits (bounded) for the read models to reach it. */
@Injectable()
export class ReadModelGate {
  constructor(@Inject(READ_MODEL_PROGRESS) private readonly projector: ReadModelProgress) {}

  async reach(query: ReportQueryDto): Promise<void> {
    if (query.minPosition === undefined) return;
    const reached = await this.projector.waitFor(BigInt(query.minPosition), MAX_WAIT_MS);
    if (!reached) {
      throw new UnavailableProblem(
        `the read models are at position ${this.projector.position()}, not yet ${query.minPosition}`,
        1,
      );
    }
  }
}
