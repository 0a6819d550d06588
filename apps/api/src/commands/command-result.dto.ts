import { ApiProperty } from '@nestjs/swagger';
import type { CommandResponseBody } from './command-runner';

/** What every command answers (API.md): 64-bit numbers as strings. */
export class CommandResultDto implements CommandResponseBody {
  @ApiProperty({ example: 'stockpile-ca-jp-graphite' })
  streamId!: string;

  @ApiProperty({ example: '2', description: 'revision of the stream’s last event, also in the ETag' })
  revision!: string;

  @ApiProperty({
    example: '42',
    description: 'global position of the last event: for minPosition and knownAt',
  })
  position!: string;

  @ApiProperty({ type: [String], example: ['0195f7a2-5b4e-5c1a-9d0e-3f1e2a7b8c9d'] })
  eventIds!: string[];
}
