import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CLIENT_ID_PATTERN, MATERIAL_CODES, QUANTITY_UNITS } from '@ledger/domain';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';

/**
 * Shapes at the edge only; the domain's value parsers (Quantity.parse, Money.parse, parseInstant, ...)
 * hold the rules and name the offending field when the shape is right but the value is not.
 */
export class QuantityDto {
  @ApiProperty({ example: '18000', description: 'decimal string: no exponent, at most gram precision' })
  @IsString()
  @MaxLength(40)
  amount!: string;

  @ApiProperty({ enum: QUANTITY_UNITS, example: 't' })
  @IsIn(QUANTITY_UNITS)
  unit!: string;
}

export class MoneyDto {
  @ApiProperty({ example: '25000000.00', description: 'decimal string, at most the currency’s minor unit' })
  @IsString()
  @MaxLength(40)
  amount!: string;

  @ApiProperty({ example: 'USD', description: 'ISO 4217' })
  @IsString()
  @Matches(/^[A-Z]{3}$/)
  currency!: string;
}

/** Every command body may say when its fact holds in the world; it defaults to the moment of recording. */
export class CommandBodyDto {
  @ApiPropertyOptional({ example: '2026-03-26', description: 'ISO 8601 date or date-time with offset' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  effectiveAt?: string;
}

export const CLIENT_ID = { pattern: CLIENT_ID_PATTERN.source, example: 'jp-ca-graphite-reserve' };
/**
 * An optional client id: it may be left out (the server then makes one), but when present it must match;
 * null too is refused, as for every other field, rather than taken for "left out" as `@IsOptional` would.
 */
export const clientIdRule = () =>
  applyDecorators(
    ValidateIf((_dto, value) => value !== undefined),
    Matches(CLIENT_ID_PATTERN, { message: `$property must match ${CLIENT_ID_PATTERN.source}` }),
  );

/** A non-empty list of material catalogue codes (each code is checked by the domain, naming the field). */
export const MaterialCodesProperty = (example: string[]) =>
  applyDecorators(
    ApiProperty({
      enum: MATERIAL_CODES,
      isArray: true,
      description: 'material catalogue codes, each once',
      example,
      minItems: 1,
      maxItems: MATERIAL_CODES.length,
    }),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(MATERIAL_CODES.length),
    IsString({ each: true }),
  );
