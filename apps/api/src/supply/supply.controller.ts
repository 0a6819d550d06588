import { Body, Controller, Inject, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  parseCountry,
  parseMaterial,
  Quantity,
  type SupplyCommand,
  supplyCountryOf,
  supplyDecider,
  supplyStreamId,
} from '@ledger/domain';
import type { Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { assertMayActFor } from '../auth/auth.guard';
import { CommandContext, type CommandRequest } from '../commands/command-request';
import { CommandRunner } from '../commands/command-runner';
import { effectiveAtOf } from '../commands/effective-at';
import { RecordConsumptionDto, RecordTradeFlowDto } from './supply.dto';

/**
 * Supply statistics belong to the importing or consuming country: its stream, and its recorders. The
 * country is in the command itself, so it is checked before the stream is read.
 */
@ApiTags('supply')
@ApiBearerAuth()
@Controller('supply')
export class SupplyController {
  constructor(@Inject(CommandRunner) private readonly commands: CommandRunner) {}

  private run(request: CommandRequest, response: Response, command: SupplyCommand) {
    const country = supplyCountryOf(command);
    assertMayActFor(request.principal, [country], `supply statistics of ${country}`);
    return this.commands.run(request, response, {
      decider: supplyDecider,
      streamId: supplyStreamId(country),
      command,
    });
  }

  @Post('trade-flows')
  @Roles('recorder')
  @ApiOperation({ summary: 'RecordTradeFlow: a year’s imports of a material from one country' })
  recordTradeFlow(
    @Body() body: RecordTradeFlowDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    return this.run(request, response, {
      type: 'RecordTradeFlow',
      effectiveAt: effectiveAtOf(body),
      importer: parseCountry(body.importer, 'importer'),
      exporter: parseCountry(body.exporter, 'exporter'),
      material: parseMaterial(body.material),
      year: body.year,
      annualQuantity: Quantity.parse(body.annualQuantity, 'annualQuantity'),
    });
  }

  @Post('consumption')
  @Roles('recorder')
  @ApiOperation({ summary: 'RecordConsumption: a year’s domestic consumption of a material' })
  recordConsumption(
    @Body() body: RecordConsumptionDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    return this.run(request, response, {
      type: 'RecordConsumption',
      effectiveAt: effectiveAtOf(body),
      country: parseCountry(body.country, 'country'),
      material: parseMaterial(body.material),
      year: body.year,
      annualQuantity: Quantity.parse(body.annualQuantity, 'annualQuantity'),
    });
  }
}
