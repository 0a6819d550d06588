import { ApiProperty } from '@nestjs/swagger';
import { MATERIAL_CODES } from '@ledger/domain';
import type { Exposure, ExposureSource } from '@ledger/projections';

/* The answers of the exposure report (DOMAIN.md "Exposure"); see project.responses.ts for how they stay true. */

const RATIO = {
  type: String,
  nullable: true,
  description: 'an exact fraction rounded once; null without its denominator',
};

export class ExposureSourceDto implements ExposureSource {
  @ApiProperty({ example: 'CN', description: 'the exporting country' })
  country!: string;

  @ApiProperty({ example: '75000', description: 'canonical kilograms a year' })
  quantity!: string;

  @ApiProperty({ example: '0.986842', description: 'its share of the flows, 6 places' })
  share!: string;

  @ApiProperty({ description: 'a restriction of the exporter is active on the day for (country, material)' })
  restricted!: boolean;
}

export class ExposureDto implements Exposure {
  @ApiProperty({ example: 'JP' })
  country!: string;

  @ApiProperty({ enum: MATERIAL_CODES })
  material!: string;

  @ApiProperty({ example: '2026-03-01T00:00:00.000Z' })
  asOf!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '80000',
    description: 'kilograms a year, of consumptionYear',
  })
  consumption!: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 2024 })
  consumptionYear!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 2024, description: 'the year of the flows' })
  sourcesYear!: number | null;

  @ApiProperty({ type: [ExposureSourceDto], description: 'largest first' })
  sources!: ExposureSourceDto[];

  @ApiProperty({ ...RATIO, example: '9740.3', description: 'Σ (100 · share)², 0 to 10,000, 2 places' })
  hhi!: string | null;

  @ApiProperty({ ...RATIO, example: '1', description: 'the three largest shares' })
  cr3!: string | null;

  @ApiProperty({ ...RATIO, example: '0.986842' })
  restrictedShare!: string | null;

  @ApiProperty({ example: '7200', description: 'the country’s attributable holding, canonical kilograms' })
  stockpileHolding!: string;

  @ApiProperty({ ...RATIO, example: '32.85' })
  daysOfCover!: string | null;

  @ApiProperty({ ...RATIO, example: '0' })
  offtakeCoverage!: string | null;
}

export class CountryExposureDto {
  @ApiProperty({ example: 'JP' })
  country!: string;

  @ApiProperty({ example: '2026-03-01T00:00:00.000Z' })
  asOf!: string;

  @ApiProperty({ type: [ExposureDto], description: 'every material with data' })
  materials!: ExposureDto[];
}
