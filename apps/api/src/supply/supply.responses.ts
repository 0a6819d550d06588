import { ApiProperty } from '@nestjs/swagger';
import { MATERIAL_CODES } from '@ledger/domain';
import type { StatisticInForce } from '@ledger/projections';

/* The answers of the supply lists; see project.responses.ts for how they stay true. */

abstract class StatisticDto {
  @ApiProperty({ enum: MATERIAL_CODES })
  material!: string;

  @ApiProperty({ example: 2024 })
  year!: number;

  @ApiProperty({ example: '75000', description: 'canonical kilograms a year' })
  annualQuantity!: string;

  @ApiProperty({ example: '2026-03-01T00:00:00.000Z' })
  effectiveAt!: string;

  @ApiProperty({ example: '2026-03-01T09:15:02.331Z', description: 'when the ledger recorded this revision' })
  recordedAt!: string;

  @ApiProperty({ example: '22', description: 'the global position of this revision' })
  position!: string;
}

export class TradeFlowDto extends StatisticDto implements Omit<StatisticInForce, 'country'> {
  @ApiProperty({ example: 'JP' })
  importer!: string;

  @ApiProperty({ example: 'CN' })
  exporter!: string;
}

export class ConsumptionDto extends StatisticDto implements Omit<StatisticInForce, 'exporter'> {
  @ApiProperty({ example: 'JP' })
  country!: string;
}

export class TradeFlowPageDto {
  @ApiProperty({ example: '2026-06-01T00:00:00.000Z' })
  asOf!: string;

  @ApiProperty({ type: [TradeFlowDto], description: 'in (importer, material, year, exporter) order' })
  items!: TradeFlowDto[];

  @ApiProperty({ type: String, nullable: true, description: 'the cursor of the next page; null on the last' })
  nextCursor!: string | null;
}

export class ConsumptionPageDto {
  @ApiProperty({ example: '2026-06-01T00:00:00.000Z' })
  asOf!: string;

  @ApiProperty({ type: [ConsumptionDto], description: 'in (country, material, year) order' })
  items!: ConsumptionDto[];

  @ApiProperty({ type: String, nullable: true, description: 'the cursor of the next page; null on the last' })
  nextCursor!: string | null;
}
