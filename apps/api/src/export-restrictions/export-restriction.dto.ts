import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { EVERY_DESTINATION, RESTRICTION_MEASURES, MAX_TEXT_LENGTH } from '@ledger/domain';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { CLIENT_ID, clientIdRule, CommandBodyDto, MaterialCodesProperty } from '../commands/value.dto';
import { ReportQueryDto } from '../queries/report-query';

/** Checked by the domain (`parseText`: trimmed, NFC, no control characters, 1–200). */
const LEGAL_REFERENCE = MAX_TEXT_LENGTH;
/** ISO 3166-1 assigns 249 codes; a list longer than that must repeat one or hold something else. */
const MAX_DESTINATIONS = 249;

/** Countries, materials and days are checked by the domain's parsers in the controller, naming the field. */
export class RestrictExportsDto extends CommandBodyDto {
  @ApiPropertyOptional({ ...CLIENT_ID, example: 'cn-gallium-germanium-2023' })
  @clientIdRule()
  id?: string;

  @ApiProperty({
    description: 'ISO 3166-1 alpha-2 of the exporting country',
    pattern: '^[A-Z]{2}$',
    example: 'CN',
  })
  @IsString()
  imposedBy!: string;

  @MaterialCodesProperty(['gallium', 'germanium'])
  materials!: string[];

  @ApiProperty({ enum: RESTRICTION_MEASURES, example: 'licensing' })
  @IsIn(RESTRICTION_MEASURES)
  measure!: string;

  @ApiProperty({
    type: [String],
    description: `importing countries (ISO 3166-1 alpha-2), each once, or exactly ["${EVERY_DESTINATION}"] for every destination`,
    example: [EVERY_DESTINATION],
    minItems: 1,
    maxItems: MAX_DESTINATIONS,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_DESTINATIONS)
  @IsString({ each: true })
  appliesTo!: string[];

  @ApiProperty({ description: 'ISO 8601 calendar date', format: 'date', example: '2023-07-03' })
  @IsString()
  announcedOn!: string;

  @ApiProperty({
    description: 'the first day the measure applies; not before announcedOn',
    format: 'date',
    example: '2023-08-01',
  })
  @IsString()
  effectiveFrom!: string;

  @ApiProperty({ example: 'MOFCOM/GAC Announcement No. 23 [2023]', maxLength: LEGAL_REFERENCE })
  @IsString()
  legalReference!: string;
}

export class LiftRestrictionDto extends CommandBodyDto {
  @ApiProperty({
    description: 'the first day the measure no longer applies; not before its own effectiveFrom',
    format: 'date',
    example: '2026-06-01',
  })
  @IsString()
  effectiveFrom!: string;
}

export class RestrictionsQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ description: 'the day D (default: the asOf day)', example: '2026-03-01' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  activeOn?: string;

  @ApiPropertyOptional({ example: 'gallium' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  material?: string;

  @ApiPropertyOptional({ example: 'JP' })
  @IsOptional()
  @IsString()
  @MaxLength(2)
  importer?: string;
}

export class RestrictionTimelineQueryDto extends ReportQueryDto {
  @ApiProperty({ example: 'JP' })
  @IsString()
  @MaxLength(2)
  importer!: string;

  @ApiProperty({ example: 'gallium' })
  @IsString()
  @MaxLength(64)
  material!: string;
}
