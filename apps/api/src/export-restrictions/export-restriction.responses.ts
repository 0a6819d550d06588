import { ApiProperty } from '@nestjs/swagger';
import { MATERIAL_CODES, RESTRICTION_MEASURES } from '@ledger/domain';
import type { RestrictionHistory, RestrictionPeriod, RestrictionView } from '@ledger/projections';

/* The answers of the restriction queries; see project.responses.ts for how they stay true. */

export class RestrictionDto implements RestrictionView {
  @ApiProperty({ example: 'cn-gallium-germanium-2023' })
  restrictionId!: string;

  @ApiProperty({ example: 'CN' })
  imposedBy!: string;

  @ApiProperty({ enum: RESTRICTION_MEASURES })
  measure!: string;

  @ApiProperty({ enum: MATERIAL_CODES, isArray: true })
  materials!: string[];

  @ApiProperty({
    type: [String],
    example: ['*'],
    description: 'country codes, or ["*"] for every destination',
  })
  appliesTo!: string[];

  @ApiProperty({ example: '2023-07-03' })
  announcedOn!: string;

  @ApiProperty({ example: '2023-08-01' })
  effectiveFrom!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the first day it no longer applies, once lifted',
  })
  liftedFrom!: string | null;

  @ApiProperty({ example: 'MOFCOM/GAC Announcement No. 23 [2023]' })
  legalReference!: string;
}

export class ActiveRestrictionsDto {
  @ApiProperty({ example: '2026-03-01', description: 'the day D' })
  activeOn!: string;

  @ApiProperty({ type: [RestrictionDto] })
  rows!: RestrictionDto[];
}

export class RestrictionEventDto {
  @ApiProperty({ enum: ['imposed', 'lifted'] })
  event!: 'imposed' | 'lifted';

  @ApiProperty({ example: '2023-08-01', description: 'the day it took effect' })
  from!: string;

  @ApiProperty({ example: '2023-07-03T00:00:00.000Z' })
  effectiveAt!: string;

  @ApiProperty({ example: '2023-07-03T08:12:55.120Z', description: 'when the ledger recorded it' })
  recordedAt!: string;

  @ApiProperty({ example: '12', description: 'its global position' })
  position!: string;
}

export class RestrictionHistoryDto extends RestrictionDto implements RestrictionHistory {
  @ApiProperty({ type: [RestrictionEventDto], description: 'as known at knownAt' })
  history!: RestrictionEventDto[];
}

export class RestrictionPeriodDto implements RestrictionPeriod {
  @ApiProperty({ example: 'cn-graphite-2023' })
  restrictionId!: string;

  @ApiProperty({ example: 'CN' })
  imposedBy!: string;

  @ApiProperty({ enum: RESTRICTION_MEASURES })
  measure!: string;

  @ApiProperty({ example: 'MOFCOM/GAC Announcement No. 39 [2023]' })
  legalReference!: string;

  @ApiProperty({ example: '2023-12-01', description: 'the first day the measure applied' })
  from!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the first day it no longer applied; null while it does',
  })
  to!: string | null;
}

export class RestrictionTimelineDto {
  @ApiProperty({ example: 'JP' })
  importer!: string;

  @ApiProperty({ enum: MATERIAL_CODES })
  material!: string;

  @ApiProperty({ type: [RestrictionPeriodDto], description: 'in the order they began' })
  periods!: RestrictionPeriodDto[];
}
