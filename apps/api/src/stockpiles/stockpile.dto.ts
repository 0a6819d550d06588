import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CLIENT_ID, clientIdRule, CommandBodyDto, MoneyDto, QuantityDto } from '../commands/value.dto';
import { ListQueryDto } from '../queries/report-query';

export class ParticipantDto {
  @ApiProperty({ example: 'JP' })
  @IsString()
  country!: string;

  @ApiProperty({ example: '50', description: 'decimal string, up to four places; shares sum to exactly 100' })
  @IsString()
  @Matches(/^[0-9.]{1,12}$/, { message: 'sharePercent must be a decimal string such as "50" or "33.3333"' })
  sharePercent!: string;
}

export class EstablishStockpileDto extends CommandBodyDto {
  @ApiPropertyOptional(CLIENT_ID)
  @clientIdRule()
  id?: string;

  @ApiProperty({ example: 'Canada–Japan graphite reserve' })
  @IsString()
  name!: string;

  @ApiProperty({ example: 'JOGMEC' })
  @IsString()
  custodian!: string;

  @ApiProperty({ type: [ParticipantDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ParticipantDto)
  participants!: ParticipantDto[];
}

/** What every movement of stock names: the material and how much of it. */
abstract class StockMovementDto extends CommandBodyDto {
  @ApiProperty({ example: 'graphite-anode' })
  @IsString()
  material!: string;

  @ApiProperty({ type: QuantityDto })
  @ValidateNested()
  @Type(() => QuantityDto)
  quantity!: QuantityDto;
}

export class AcquireStockDto extends StockMovementDto {
  @ApiPropertyOptional(CLIENT_ID)
  @clientIdRule()
  lotId?: string;

  @ApiProperty({ example: 'Yokohama bonded warehouse 3' })
  @IsString()
  location!: string;

  @ApiProperty({ example: 'CA' })
  @IsString()
  originCountry!: string;

  @ApiPropertyOptional({ type: MoneyDto })
  @ValidateIf((_dto, value) => value !== undefined)
  @ValidateNested()
  @Type(() => MoneyDto)
  cost?: MoneyDto;
}

export class ReleaseStockDto extends StockMovementDto {
  @ApiPropertyOptional(CLIENT_ID)
  @clientIdRule()
  releaseId?: string;

  @ApiProperty({ example: 'Yokohama bonded warehouse 3' })
  @IsString()
  location!: string;

  @ApiProperty({ example: 'Panasonic Energy' })
  @IsString()
  recipient!: string;

  @ApiProperty({ example: 'JP' })
  @IsString()
  recipientCountry!: string;

  @ApiProperty({ example: 'supply disruption after export licensing' })
  @IsString()
  @MaxLength(1000)
  reason!: string;

  @ApiProperty({ example: 'METI-2026-041' })
  @IsString()
  authorisationRef!: string;
}

export class TransferStockDto extends StockMovementDto {
  @ApiPropertyOptional(CLIENT_ID)
  @clientIdRule()
  transferId?: string;

  @ApiProperty({ example: 'Yokohama bonded warehouse 3' })
  @IsString()
  fromLocation!: string;

  @ApiProperty({ example: 'Kobe bonded warehouse 1' })
  @IsString()
  toLocation!: string;
}

export class StockpileListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'stockpiles this country takes part in', example: 'JP' })
  @IsOptional()
  @IsString()
  @MaxLength(2)
  participant?: string;

  @ApiPropertyOptional({ description: 'stockpiles holding this material', example: 'gallium' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;
}
