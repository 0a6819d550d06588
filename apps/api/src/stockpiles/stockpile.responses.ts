import { ApiProperty } from '@nestjs/swagger';
import { MATERIAL_CODES } from '@ledger/domain';
import type { Page, Participant, StockpileListItem, StockpileView } from '@ledger/projections';
import { InventoryBalanceDto } from '../inventory/inventory.responses';

/* The answers of the stockpile queries; see project.responses.ts for how they stay true. */

export class ParticipantShareDto implements Participant {
  @ApiProperty({ example: 'JP' })
  country!: string;

  @ApiProperty({ example: '60', description: 'percent, a decimal string of up to four places' })
  sharePercent!: string;
}

/** The stockpile itself, as the list and the single stockpile both give it; each adds its holdings. */
abstract class StockpileSummaryDto {
  @ApiProperty({ example: 'ca-jp-critical-minerals' })
  stockpileId!: string;

  @ApiProperty({ example: 'Canada–Japan critical minerals reserve' })
  name!: string;

  @ApiProperty({ example: 'JOGMEC' })
  custodian!: string;

  @ApiProperty({ type: [ParticipantShareDto] })
  participants!: ParticipantShareDto[];
}

export class StockpileViewDto extends StockpileSummaryDto implements StockpileView {
  @ApiProperty({ type: [InventoryBalanceDto], description: 'per material and location' })
  balances!: InventoryBalanceDto[];
}

export class MaterialOnHandDto {
  @ApiProperty({ enum: MATERIAL_CODES })
  material!: string;

  @ApiProperty({ example: '2000000', description: 'canonical kilograms over every location' })
  onHand!: string;
}

export class StockpileListItemDto extends StockpileSummaryDto implements StockpileListItem {
  @ApiProperty({ type: [MaterialOnHandDto] })
  onHand!: MaterialOnHandDto[];
}

export class StockpilePageDto implements Page<StockpileListItem> {
  @ApiProperty({ example: '2026-06-01T00:00:00.000Z' })
  asOf!: string;

  @ApiProperty({ type: [StockpileListItemDto] })
  items!: StockpileListItemDto[];

  @ApiProperty({ type: String, nullable: true, description: 'the cursor of the next page; null on the last' })
  nextCursor!: string | null;
}
