import { ApiProperty } from '@nestjs/swagger';
import { FINANCING_GROUPINGS, type FinancingGroup, type FinancingQueries } from '@ledger/projections';

/* The answer of the financing report; see project.responses.ts for how it stays true. */

export class FinancingTotalDto {
  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty({ example: '335000000.00', description: 'the sum in this currency, never converted' })
  amount!: string;

  @ApiProperty({ example: 2, description: 'how many financings it sums' })
  financings!: number;
}

export class FinancingGroupDto implements FinancingGroup {
  @ApiProperty({
    example: 'debt',
    description: 'the stage on the asOf day, the instrument or the financier’s country',
  })
  group!: string;

  @ApiProperty({ type: [FinancingTotalDto], description: 'one per original currency' })
  totals!: FinancingTotalDto[];
}

type FinancingReport = Awaited<ReturnType<FinancingQueries['financing']>>;

export class FinancingReportDto implements FinancingReport {
  @ApiProperty({ enum: FINANCING_GROUPINGS })
  groupBy!: FinancingReport['groupBy'];

  @ApiProperty({ example: '2026-06-01T00:00:00.000Z' })
  asOf!: string;

  @ApiProperty({ type: [FinancingGroupDto] })
  groups!: FinancingGroupDto[];
}
