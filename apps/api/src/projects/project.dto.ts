import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  FINANCING_INSTRUMENTS,
  MATERIAL_CODES,
  PROJECT_STAGE_ORDER,
  PROJECT_STAGES,
  MAX_TEXT_LENGTH,
} from '@ledger/domain';
import { Type } from 'class-transformer';
import { IsIn, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import {
  CLIENT_ID,
  clientIdRule,
  CommandBodyDto,
  MoneyDto,
  QuantityDto,
  MaterialCodesProperty,
} from '../commands/value.dto';
import { ListQueryDto, ReportQueryDto } from '../queries/report-query';

/** Text fields are checked by the domain (`parseText`: trimmed, NFC, no control characters, 1–200). */
const TEXT = MAX_TEXT_LENGTH;

/**
 * Countries, materials and days are checked by the domain's parsers in the controller (against the ISO
 * list, the catalogue and the calendar), which name the field; here they only need to be strings.
 */
const COUNTRY = { description: 'ISO 3166-1 alpha-2', pattern: '^[A-Z]{2}$' };
const MATERIAL = { description: 'a code of the material catalogue', enum: MATERIAL_CODES };
const DAY = { description: 'ISO 8601 calendar date', format: 'date' };

export class RegisterProjectDto extends CommandBodyDto {
  @ApiPropertyOptional({ ...CLIENT_ID, example: 'nmg-becancour' })
  @clientIdRule()
  id?: string;

  @ApiProperty({ example: 'Bécancour battery material plant', maxLength: TEXT })
  @IsString()
  name!: string;

  @ApiProperty({ example: 'Nouveau Monde Graphite', maxLength: TEXT })
  @IsString()
  operator!: string;

  @ApiProperty({ ...COUNTRY, example: 'CA' })
  @IsString()
  country!: string;

  @MaterialCodesProperty(['graphite-anode'])
  materials!: string[];

  @ApiProperty({ enum: PROJECT_STAGE_ORDER, example: 'construction' })
  @IsIn(PROJECT_STAGE_ORDER)
  stage!: string;
}

export class DeclareCapacityDto extends CommandBodyDto {
  @ApiProperty({ ...MATERIAL, example: 'graphite-anode' })
  @IsString()
  material!: string;

  @ApiProperty({ type: QuantityDto, example: { amount: '42616', unit: 't' }, description: 'a year’s output' })
  @IsObject()
  @ValidateNested()
  @Type(() => QuantityDto)
  annualCapacity!: QuantityDto;
}

export class AdvanceStageDto extends CommandBodyDto {
  @ApiProperty({
    enum: PROJECT_STAGES,
    example: 'commissioning',
    description: 'forward only (skipping allowed); `suspended` from any stage and back; `closed` is final',
  })
  @IsIn(PROJECT_STAGES)
  stage!: string;
}

export class FinanceProjectDto extends CommandBodyDto {
  @ApiPropertyOptional({ ...CLIENT_ID, example: 'edc-cib-term-loan' })
  @clientIdRule()
  financingId?: string;

  @ApiProperty({ example: 'Export Development Canada', maxLength: TEXT })
  @IsString()
  financier!: string;

  @ApiProperty({ ...COUNTRY, example: 'CA' })
  @IsString()
  financierCountry!: string;

  @ApiProperty({ enum: FINANCING_INSTRUMENTS, example: 'debt' })
  @IsIn(FINANCING_INSTRUMENTS)
  instrument!: string;

  @ApiProperty({ type: MoneyDto, example: { amount: '290000000.00', currency: 'USD' } })
  @IsObject()
  @ValidateNested()
  @Type(() => MoneyDto)
  amount!: MoneyDto;
}

export class SignOfftakeDto extends CommandBodyDto {
  @ApiPropertyOptional({ ...CLIENT_ID, example: 'panasonic-aam-2027' })
  @clientIdRule()
  offtakeId?: string;

  @ApiProperty({ example: 'Panasonic Energy', maxLength: TEXT })
  @IsString()
  buyer!: string;

  @ApiProperty({ ...COUNTRY, example: 'JP' })
  @IsString()
  buyerCountry!: string;

  @ApiProperty({ ...MATERIAL, example: 'graphite-anode' })
  @IsString()
  material!: string;

  @ApiProperty({ type: QuantityDto, example: { amount: '18000', unit: 't' }, description: 'per year' })
  @IsObject()
  @ValidateNested()
  @Type(() => QuantityDto)
  annualVolume!: QuantityDto;

  @ApiProperty({ ...DAY, example: '2027-01-01', description: 'first day in force' })
  @IsString()
  startsOn!: string;

  @ApiProperty({
    ...DAY,
    example: '2034-01-01',
    description: 'first day no longer in force (after startsOn)',
  })
  @IsString()
  endsOn!: string;
}

export class RecordDeliveryDto extends CommandBodyDto {
  @ApiProperty({ type: QuantityDto, example: { amount: '1500', unit: 't' } })
  @IsObject()
  @ValidateNested()
  @Type(() => QuantityDto)
  quantity!: QuantityDto;

  @ApiProperty({ ...DAY, example: '2027-02-15', description: 'within the offtake’s term' })
  @IsString()
  deliveredOn!: string;
}

export class TerminateOfftakeDto extends CommandBodyDto {
  @ApiProperty({ example: 'buyer invoked force majeure', maxLength: TEXT })
  @IsString()
  reason!: string;

  @ApiProperty({ ...DAY, example: '2030-01-01', description: 'first day the offtake is no longer in force' })
  @IsString()
  effectiveOn!: string;
}

export class ProjectListQueryDto extends ListQueryDto {
  @ApiPropertyOptional({ description: 'the project’s country', example: 'CA' })
  @IsOptional()
  @IsString()
  @MaxLength(2)
  country?: string;

  @ApiPropertyOptional({ example: 'graphite-anode' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;

  @ApiPropertyOptional({ enum: PROJECT_STAGES, description: 'the stage on the asOf day' })
  @IsOptional()
  @IsIn(PROJECT_STAGES)
  stage?: string;

  @ApiPropertyOptional({ example: 'Nouveau Monde Graphite' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  operator?: string;

  @ApiPropertyOptional({ description: 'an offtake buyer’s name or country code', example: 'JP' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  buyer?: string;
}

export class OfftakeBookQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ description: 'one material of the book', example: 'graphite-anode' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;
}
