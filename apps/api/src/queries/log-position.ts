import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

/** A global position as a client writes it: a non-negative integer that fits in 64 bits' decimal digits. */
export const GLOBAL_POSITION = /^(0|[1-9][0-9]{0,18})$/;

/** Where a read of the log starts: the audit log's pages and the feed. */
export class FromPositionQueryDto {
  @ApiPropertyOptional({
    description: 'exclusive: events strictly after this global position; default 0 (from the start)',
    example: '0',
  })
  @IsOptional()
  @Matches(GLOBAL_POSITION, { message: 'fromPosition must be a global position (a non-negative integer)' })
  fromPosition?: string;
}
