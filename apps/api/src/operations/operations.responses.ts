import { ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

/* The answers of the operations routes; see project.responses.ts for how they stay true. */

export class HealthDto {
  @ApiProperty({ example: 'ok' })
  status!: string;
}

export class ProjectorRoleDto {
  @ApiProperty({ enum: ['active', 'standby', 'external'] })
  role!: string;

  @ApiProperty({ type: String, nullable: true, description: 'who holds the projector lock' })
  holder!: string | null;

  @ApiProperty({ example: 'api-1:4242', description: 'this process' })
  owner!: string;
}

export class ReadModelFailureDto {
  @ApiProperty({ example: '1042' })
  position!: string;

  @ApiProperty()
  eventId!: string;

  @ApiProperty()
  error!: string;

  @ApiProperty({ example: 3 })
  failures!: number;

  @ApiProperty({ example: '2026-06-01T09:00:05.000Z' })
  retryAt!: string;
}

export class ReadModelProgressDto {
  @ApiProperty({ example: '1042' })
  checkpoint!: string;

  @ApiPropertyOptional({ example: '0', description: 'events behind the head (SQLite, PostgreSQL)' })
  lag?: string;

  @ApiPropertyOptional({ description: 'positions behind the head (EventStoreDB: byte offsets)' })
  lagPositions?: string;

  @ApiProperty({ example: 1, description: 'checkpoint / head, 0 to 1' })
  progress!: number;

  @ApiPropertyOptional({ type: ReadModelFailureDto, description: 'the event it stopped on' })
  failed?: ReadModelFailureDto;
}

export class ReadinessDto {
  @ApiProperty({ enum: ['ready', 'catching-up', 'failed'] })
  status!: string;

  @ApiProperty({ example: '1042' })
  headPosition!: string;

  @ApiProperty({ type: ProjectorRoleDto })
  projector!: ProjectorRoleDto;

  @ApiPropertyOptional({ description: 'why the projector’s subscription gave up' })
  stoppedBecause?: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(ReadModelProgressDto) },
    description: 'by read model',
  })
  readModels!: Record<string, ReadModelProgressDto>;
}
