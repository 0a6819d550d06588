import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MATERIAL_CODES, MAX_YEAR, MIN_YEAR } from '@ledger/domain';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { CommandBodyDto, QuantityDto } from '../commands/value.dto';
import { ListQueryDto } from '../queries/report-query';

/** Countries and materials are checked by the domain's parsers in the controller, naming the field. */
const COUNTRY = { description: 'ISO 3166-1 alpha-2', pattern: '^[A-Z]{2}$' };
const MATERIAL = { description: 'a code of the material catalogue', enum: MATERIAL_CODES };
const YEAR = {
  description: `the calendar year the statistic covers, ${MIN_YEAR}–${MAX_YEAR}`,
  minimum: MIN_YEAR,
  maximum: MAX_YEAR,
  type: 'integer' as const,
};

/** What every yearly statistic says: which material, which year, how much in that year. */
abstract class AnnualStatisticDto extends CommandBodyDto {
  @ApiProperty({ ...MATERIAL, example: 'graphite-flake' })
  @IsString()
  material!: string;

  @ApiProperty({ ...YEAR, example: 2024 })
  @IsInt()
  @Min(MIN_YEAR)
  @Max(MAX_YEAR)
  year!: number;

  @ApiProperty({
    type: QuantityDto,
    example: { amount: '36000', unit: 't' },
    description: 'the year’s total',
  })
  @IsObject()
  @ValidateNested()
  @Type(() => QuantityDto)
  annualQuantity!: QuantityDto;
}

export class RecordTradeFlowDto extends AnnualStatisticDto {
  @ApiProperty({ ...COUNTRY, example: 'JP', description: 'the importing country, whose statistic this is' })
  @IsString()
  importer!: string;

  @ApiProperty({ ...COUNTRY, example: 'CN', description: 'the exporting country; not the importer' })
  @IsString()
  exporter!: string;
}

export class RecordConsumptionDto extends AnnualStatisticDto {
  @ApiProperty({ ...COUNTRY, example: 'JP', description: 'the consuming country, whose statistic this is' })
  @IsString()
  country!: string;
}

/** The filters both supply lists share. */
abstract class StatisticQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ example: 'gallium' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;

  @ApiPropertyOptional({ example: '2024' })
  @IsOptional()
  @Matches(/^[0-9]{4}$/, { message: 'year must be a year such as 2024' })
  year?: string;
}

export class TradeFlowQueryDto extends StatisticQueryDto {
  @ApiPropertyOptional({ example: 'JP' })
  @IsOptional()
  @IsString()
  @MaxLength(2)
  importer?: string;

  @ApiPropertyOptional({ example: 'CN' })
  @IsOptional()
  @IsString()
  @MaxLength(2)
  exporter?: string;
}

export class ConsumptionQueryDto extends StatisticQueryDto {
  @ApiPropertyOptional({ example: 'JP' })
  @IsOptional()
  @IsString()
  @MaxLength(2)
  country?: string;
}
