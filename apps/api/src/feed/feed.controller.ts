import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import {
  EXPORT_RESTRICTION_EVENT_TYPES,
  EXPORT_RESTRICTION_STREAMS,
  PROJECT_EVENT_TYPES,
  PROJECT_STREAMS,
  STOCKPILE_EVENT_TYPES,
  STOCKPILE_STREAMS,
  SUPPLY_EVENT_TYPES,
  SUPPLY_STREAMS,
} from '@ledger/domain';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import type { Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { ApiText } from '../openapi/api-responses';
import { ValidationProblem } from '../problems/problems';
import { FromPositionQueryDto, GLOBAL_POSITION } from '../queries/log-position';
import type { FeedFilter } from './feed-message';
import { FeedService } from './feed.service';

/** What the filters may name: the ledger's event types and stream categories. */
export const FEED_EVENT_TYPES: readonly string[] = [
  ...PROJECT_EVENT_TYPES,
  ...STOCKPILE_EVENT_TYPES,
  ...EXPORT_RESTRICTION_EVENT_TYPES,
  ...SUPPLY_EVENT_TYPES,
];
export const FEED_CATEGORIES: readonly string[] = [
  PROJECT_STREAMS.name,
  STOCKPILE_STREAMS.name,
  EXPORT_RESTRICTION_STREAMS.name,
  SUPPLY_STREAMS.name,
];

export class FeedQueryDto extends FromPositionQueryDto {
  @ApiPropertyOptional({
    description: `comma-separated event types; default every type. One of: ${FEED_EVENT_TYPES.join(', ')}`,
    example: 'StockpileAcquired,StockpileReleased',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  types?: string;

  @ApiPropertyOptional({
    description: `comma-separated stream categories; default every category. One of: ${FEED_CATEGORIES.join(', ')}`,
    example: 'stockpile',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  categories?: string;
}

/** A comma-separated list of known names, or a validation problem naming the field and the stranger. */
function namesIn(
  field: string,
  value: string | undefined,
  known: readonly string[],
): Set<string> | undefined {
  if (value === undefined) return undefined;
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw new ValidationProblem([
      {
        field,
        message:
          unknown === ''
            ? `${field} is a comma-separated list of names, without empty ones`
            : `"${unknown.slice(0, 64)}" is not one of ${known.join(', ')}`,
      },
    ]);
  }
  return new Set(names);
}

/**
 * The log for projection services (API.md "Feed for projection services"), as Server-Sent Events. A
 * reconnecting client's `Last-Event-ID` wins over the URL's `fromPosition`, which an EventSource repeats.
 */
@ApiTags('feed')
@Controller('feed')
export class FeedController {
  constructor(@Inject(FeedService) private readonly feeds: FeedService) {}

  @Get()
  @Roles('reader', 'auditor')
  @ApiOperation({
    summary: 'Every event after a position in global order, then live, as Server-Sent Events',
    description:
      'Each event is a message with `id: <position>`, `event: <type>` and `data:` the event as in ' +
      '/audit/log. `Last-Event-ID` (sent by a reconnecting EventSource) resumes strictly after that ' +
      'position, so a consumer that reconnects loses and repeats nothing. A comment line (`:`) every 15 s ' +
      'keeps an idle connection open. A consumer that stops reading is held back by TCP backpressure: ' +
      'the server reads the log no further for it. The response ends when the server shuts down; ' +
      'reconnect with Last-Event-ID.',
  })
  @ApiText(
    'text/event-stream',
    'Server-Sent Events: `id: <position>`, `event: <type>`, `data: <event JSON>`, a blank line; `:` comment lines keep the connection alive',
    { 400: ['validation-failed'], 503: ['unavailable'] },
  )
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'the id (global position) of the last message received; overrides fromPosition',
  })
  async feed(
    @Query() query: FeedQueryDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const lastEventId = request.header('last-event-id');
    if (lastEventId !== undefined && !GLOBAL_POSITION.test(lastEventId)) {
      throw new ValidationProblem([
        { field: 'Last-Event-ID', message: 'must be the id of a feed message: a global position' },
      ]);
    }
    const filter: FeedFilter = {
      ...optional('types', namesIn('types', query.types, FEED_EVENT_TYPES)),
      ...optional('categories', namesIn('categories', query.categories, FEED_CATEGORIES)),
    };
    await this.feeds.serve(response, BigInt(lastEventId ?? query.fromPosition ?? '0'), filter);
  }
}

const optional = <Name extends string, Value>(name: Name, value: Value | undefined) =>
  (value === undefined ? {} : { [name]: value }) as Partial<Record<Name, Value>>;
