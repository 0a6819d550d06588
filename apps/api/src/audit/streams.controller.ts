import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { envelopeToJson, type EventStore } from '@ledger/event-store';
import { IsOptional, Matches } from 'class-validator';
import { Roles } from '../auth/auth.decorators';
import { EVENT_STORE } from '../wiring/tokens';
import { NotFoundProblem } from '../problems/problems';

const REVISION = /^(0|[1-9][0-9]{0,18})$/;

export class StreamQueryDto {
  @ApiPropertyOptional({ description: 'first revision to return (inclusive); default 0', example: '0' })
  @IsOptional()
  @Matches(REVISION, { message: 'fromRevision must be a revision (a non-negative integer)' })
  fromRevision?: string;
}

/** An auditor's view of one stream: its events exactly as stored, hash chain included. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('streams')
export class StreamsController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get(':streamId')
  @Roles('auditor')
  @ApiOperation({
    summary: "A stream's events in revision order, each with its metadata (actor, prevHash, hash)",
  })
  @ApiParam({ name: 'streamId', example: 'stockpile-ca-jp-graphite' })
  async stream(@Param('streamId') streamId: string, @Query() query: StreamQueryDto) {
    const fromRevision = BigInt(query.fromRevision ?? '0');
    const events = streamId.length > 200 ? [] : await this.store.readStream(streamId, fromRevision);
    // Past the end of a stream that exists is an empty page; a stream that does not exist is a 404.
    if (events.length === 0 && (fromRevision === 0n || (await this.isUnknown(streamId)))) {
      throw new NotFoundProblem(`no stream "${streamId.slice(0, 200)}"`);
    }
    return {
      streamId,
      fromRevision: fromRevision.toString(),
      events: events.map(envelopeToJson),
    };
  }

  private async isUnknown(streamId: string): Promise<boolean> {
    return (await this.store.readStream(streamId, 0n)).length === 0;
  }
}
