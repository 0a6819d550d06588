import { Body, Controller, Inject, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  EVERY_DESTINATION,
  exportRestrictionDecider,
  exportRestrictionStreamId,
  parseCountry,
  parseDay,
  parseMaterial,
  parseText,
  type RestrictionMeasure,
} from '@ledger/domain';
import type { Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { CommandContext, type CommandRequest } from '../commands/command-request';
import { CommandRunner } from '../commands/command-runner';
import { effectiveAtOf } from '../commands/effective-at';
import { EntityIdParam } from '../commands/entity-id.pipe';
import { LiftRestrictionDto, RestrictExportsDto } from './export-restriction.dto';

/**
 * A restriction is imposed by a foreign government, not by the recorder's own country, so any recorder
 * may record or lift one (API.md); readers and auditors are refused by the role guard.
 */
@ApiTags('export-restrictions')
@ApiBearerAuth()
@Controller('export-restrictions')
export class ExportRestrictionsController {
  constructor(@Inject(CommandRunner) private readonly commands: CommandRunner) {}

  @Post()
  @Roles('recorder')
  @ApiOperation({ summary: 'RestrictExports: a licensing requirement or a ban on exports' })
  restrict(
    @Body() body: RestrictExportsDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    const restrictionId = body.id ?? request.newEntityId('exportRestriction');
    return this.commands.run(request, response, {
      decider: exportRestrictionDecider,
      streamId: exportRestrictionStreamId(restrictionId),
      command: {
        type: 'RestrictExports',
        restrictionId,
        effectiveAt: effectiveAtOf(body),
        imposedBy: parseCountry(body.imposedBy, 'imposedBy'),
        materials: body.materials.map((material, index) => parseMaterial(material, `materials[${index}]`)),
        measure: body.measure as RestrictionMeasure,
        appliesTo: body.appliesTo.map((destination, index) =>
          destination === EVERY_DESTINATION
            ? EVERY_DESTINATION
            : parseCountry(destination, `appliesTo[${index}]`),
        ),
        announcedOn: parseDay(body.announcedOn, 'announcedOn'),
        effectiveFrom: parseDay(body.effectiveFrom, 'effectiveFrom'),
        legalReference: parseText(body.legalReference, 'legalReference'),
      },
    });
  }

  @Post(':id/lift')
  @Roles('recorder')
  @ApiOperation({ summary: 'LiftRestriction: once, and not before the measure took effect' })
  lift(
    @EntityIdParam() restrictionId: string,
    @Body() body: LiftRestrictionDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ) {
    return this.commands.run(request, response, {
      decider: exportRestrictionDecider,
      streamId: exportRestrictionStreamId(restrictionId),
      command: {
        type: 'LiftRestriction',
        restrictionId,
        effectiveAt: effectiveAtOf(body),
        effectiveFrom: parseDay(body.effectiveFrom, 'effectiveFrom'),
      },
    });
  }
}
