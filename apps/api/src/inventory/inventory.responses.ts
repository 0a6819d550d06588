import { ApiProperty } from '@nestjs/swagger';
import { MATERIAL_CODES } from '@ledger/domain';
import type { InventoryRow } from '@ledger/projections';

/* The answers of the inventory query; see project.responses.ts for how they stay true. */

const KG = (example: string) => ({ example, description: 'canonical kilograms, a decimal string' });

/** A balance of one material at one location of a stockpile. */
export class InventoryBalanceDto implements Omit<InventoryRow, 'stockpileId'> {
  @ApiProperty({ enum: MATERIAL_CODES })
  material!: string;

  @ApiProperty({ example: 'Yokohama bonded warehouse' })
  location!: string;

  @ApiProperty(KG('949500'))
  onHand!: string;

  @ApiProperty(KG('1200000'))
  acquired!: string;

  @ApiProperty(KG('250500'))
  released!: string;

  @ApiProperty(KG('0'))
  transferredIn!: string;

  @ApiProperty(KG('0'))
  transferredOut!: string;
}

export class InventoryRowDto extends InventoryBalanceDto implements InventoryRow {
  @ApiProperty({ example: 'ca-jp-graphite' })
  stockpileId!: string;
}

export class InventoryPageDto {
  @ApiProperty({ example: '2026-06-01T00:00:00.000Z' })
  asOf!: string;

  @ApiProperty({ type: [InventoryRowDto], description: 'in (stockpile, material, location) order' })
  rows!: InventoryRowDto[];

  @ApiProperty({ type: String, nullable: true, description: 'the cursor of the next page; null on the last' })
  nextCursor!: string | null;
}
