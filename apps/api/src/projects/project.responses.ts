import { ApiProperty } from '@nestjs/swagger';
import { FINANCING_INSTRUMENTS, MATERIAL_CODES, PROJECT_STAGES } from '@ledger/domain';
import type {
  Financing,
  OfftakeBookEntry,
  OfftakeView,
  Page,
  ProjectQueries,
  ProjectSummary,
  ProjectView,
} from '@ledger/projections';

/*
 * The answers of the project queries, for the OpenAPI document. Each class implements the query port's type
 * and is the handler's declared return type, so the compiler holds the document to what is returned.
 * Quantities are canonical kilograms; 64-bit numbers and money are decimal strings.
 */

const KG = { description: 'canonical kilograms, a decimal string', example: '42616000' };

export class ProjectSummaryDto implements ProjectSummary {
  @ApiProperty({ example: 'nmg-becancour' })
  projectId!: string;

  @ApiProperty({ example: 'NMG Phase-2 Bécancour active anode material plant' })
  name!: string;

  @ApiProperty({ example: 'Nouveau Monde Graphite' })
  operator!: string;

  @ApiProperty({ example: 'CA' })
  country!: string;

  @ApiProperty({ enum: PROJECT_STAGES, description: 'the stage on the asOf day, as known at the cut' })
  stage!: string;

  @ApiProperty({ enum: MATERIAL_CODES, isArray: true })
  materials!: string[];
}

export class ProjectPageDto implements Page<ProjectSummary> {
  @ApiProperty({ example: '2026-06-01T00:00:00.000Z', description: 'the asOf of the answer' })
  asOf!: string;

  @ApiProperty({ type: [ProjectSummaryDto] })
  items!: ProjectSummaryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'the cursor of the next page; null on the last' })
  nextCursor!: string | null;
}

export class CapacityDto {
  @ApiProperty({ enum: MATERIAL_CODES })
  material!: string;

  @ApiProperty(KG)
  annualCapacity!: string;
}

export class AmountDto {
  @ApiProperty({ example: '290000000.00', description: 'decimal string in the currency’s minor units' })
  amount!: string;

  @ApiProperty({ example: 'USD' })
  currency!: string;
}

export class FinancingDto implements Financing {
  @ApiProperty({ example: 'edc-cib-term-loan' })
  financingId!: string;

  @ApiProperty({ example: 'Export Development Canada and Canada Infrastructure Bank' })
  financier!: string;

  @ApiProperty({ example: 'CA' })
  financierCountry!: string;

  @ApiProperty({ enum: FINANCING_INSTRUMENTS })
  instrument!: string;

  @ApiProperty({ type: AmountDto, description: 'in its original currency, never converted' })
  amount!: AmountDto;
}

export class OfftakeDto implements OfftakeView {
  @ApiProperty({ example: 'panasonic-aam' })
  offtakeId!: string;

  @ApiProperty({ example: 'Panasonic Energy' })
  buyer!: string;

  @ApiProperty({ example: 'JP' })
  buyerCountry!: string;

  @ApiProperty({ enum: MATERIAL_CODES })
  material!: string;

  @ApiProperty(KG)
  annualVolume!: string;

  @ApiProperty({ example: '2027-01-01' })
  startsOn!: string;

  @ApiProperty({ example: '2034-01-01', description: 'the first day it is no longer in force' })
  endsOn!: string;

  @ApiProperty({ type: String, nullable: true, description: 'the effectiveOn of its termination, if any' })
  terminatedOn!: string | null;

  @ApiProperty({ ...KG, description: 'kilograms delivered up to the asOf day' })
  delivered!: string;

  @ApiProperty({ description: 'startsOn ≤ asOf day < endsOn, not terminated by then' })
  inForce!: boolean;
}

export class OfftakeBookEntryDto implements OfftakeBookEntry {
  @ApiProperty({ enum: MATERIAL_CODES })
  material!: string;

  @ApiProperty({ ...KG, type: String, nullable: true, description: 'declared capacity; null when none' })
  annualCapacity!: string | null;

  @ApiProperty({ ...KG, description: 'annual volumes of the offtakes in force on the asOf day' })
  committed!: string;

  @ApiProperty({ ...KG, type: String, nullable: true, description: 'capacity minus committed' })
  remaining!: string | null;

  @ApiProperty({ ...KG, description: 'the highest total in force on any day of the book’s whole span' })
  peakCommitment!: string;

  @ApiProperty({ ...KG, type: String, nullable: true, description: 'capacity minus the peak commitment' })
  headroom!: string | null;
}

export class ProjectViewDto extends ProjectSummaryDto implements ProjectView {
  @ApiProperty({ type: [CapacityDto] })
  capacity!: CapacityDto[];

  @ApiProperty({ type: [FinancingDto] })
  financings!: FinancingDto[];

  @ApiProperty({ type: [OfftakeDto] })
  offtakes!: OfftakeDto[];

  @ApiProperty({ type: [OfftakeBookEntryDto] })
  offtakeBook!: OfftakeBookEntryDto[];
}

type OfftakeBook = NonNullable<Awaited<ReturnType<ProjectQueries['offtakeBook']>>>;

export class OfftakeBookDto implements OfftakeBook {
  @ApiProperty({ example: 'nmg-becancour' })
  projectId!: string;

  @ApiProperty({ example: '2028-01-01T00:00:00.000Z' })
  asOf!: string;

  @ApiProperty({ type: [OfftakeBookEntryDto] })
  materials!: OfftakeBookEntryDto[];
}
