import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { FieldError } from '../problems/problems';

export class FieldErrorDto implements FieldError {
  @ApiProperty({ example: 'participants[0].sharePercent', description: 'dotted path of the field' })
  field!: string;

  @ApiProperty({ example: 'participants’ shares must add up to exactly 100' })
  message!: string;
}

/** RFC 9457 problem details, as `Problem.body()` writes them (apps/api/src/problems/problems.ts). */
export class ProblemDto {
  @ApiProperty({
    example: 'urn:minerals-ledger:problem:insufficient-stock',
    description: 'the code as a URN',
  })
  type!: string;

  @ApiProperty({ example: 'A ledger rule refuses this command', description: 'may be reworded: use `code`' })
  title!: string;

  @ApiProperty({ example: 422 })
  status!: number;

  @ApiProperty({ example: 'insufficient-stock', description: 'stable: clients branch on it' })
  code!: string;

  @ApiPropertyOptional({ description: 'may be reworded' })
  detail?: string;

  @ApiPropertyOptional({
    example: '/stockpiles/ca-jp-graphite/releases',
    description: 'the path, never the query',
  })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: '400: each field at fault' })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: '412 stale-revision: the entity’s revision now',
    example: '3',
  })
  currentRevision?: string | null;

  @ApiPropertyOptional({ description: '413 from the event store: its limit in bytes' })
  maxAppendSize?: number;
}
