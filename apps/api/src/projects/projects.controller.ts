import { Body, Controller, Get, Inject, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type FinancingInstrument,
  Money,
  parseCountry,
  parseDay,
  parseMaterial,
  parseText,
  type ProjectCommand,
  projectRecorderCountries,
  projectDecider,
  type ProjectDevelopmentStage,
  type ProjectStage,
  type ProjectState,
  projectStreamId,
  Quantity,
} from '@ledger/domain';
import type { ProjectQueries } from '@ledger/projections';
import type { Request, Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { assertMayActFor } from '../auth/auth.guard';
import { CommandContext, type CommandRequest } from '../commands/command-request';
import type { CommandResultDto } from '../commands/command-result.dto';
import { CommandRunner } from '../commands/command-runner';
import { commandTimes } from '../commands/effective-at';
import { EntityIdParam } from '../commands/entity-id.pipe';
import { ApiCommand, ApiReport } from '../openapi/api-responses';
import { NotFoundProblem } from '../problems/problems';
import { sendCsv, streamCsv, wantsCsv } from '../queries/csv';
import { allPages } from '../queries/pages';
import { pageOf, ReportCuts, ReportQueryDto } from '../queries/report-query';
import { PROJECT_QUERIES } from '../wiring/tokens';
import {
  AdvanceStageDto,
  DeclareCapacityDto,
  FinanceProjectDto,
  OfftakeBookQueryDto,
  ProjectListQueryDto,
  RecordDeliveryDto,
  RegisterProjectDto,
  SignOfftakeDto,
  TerminateOfftakeDto,
} from './project.dto';
import { projectsReadModel } from '@ledger/projections';

/** The read models this slice's queries read: a `minPosition` waits for these only. */
const READS = [projectsReadModel].map((model) => model.name);
import { OfftakeBookDto, ProjectPageDto, ProjectViewDto } from './project.responses';

const PROJECT_COLUMNS = ['projectId', 'name', 'operator', 'country', 'stage', 'materials'];
const OFFTAKE_COLUMNS = [
  'offtakeId',
  'buyer',
  'buyerCountry',
  'material',
  'annualVolume',
  'startsOn',
  'endsOn',
  'terminatedOn',
  'delivered',
  'inForce',
];
const BOOK_COLUMNS = ['material', 'annualCapacity', 'committed', 'remaining', 'peakCommitment', 'headroom'];

/** Rules every command on a registered project may break. */
const OPEN_PROJECT = ['project-closed', 'before-establishment'] as const;

@ApiTags('projects')
@Controller('projects')
export class ProjectsController {
  constructor(
    @Inject(CommandRunner) private readonly commands: CommandRunner,
    @Inject(ReportCuts) private readonly cuts: ReportCuts,
    @Inject(PROJECT_QUERIES) private readonly queries: ProjectQueries,
  ) {}

  /**
   * Recorders act for projects of their countries, and for offtakes whose buyer is of their countries
   * (DOMAIN.md). An unknown project is left to the decider, which answers 404 (or, for a registration,
   * lets it through).
   */
  private run(request: CommandRequest, response: Response, command: ProjectCommand) {
    return this.commands.run(request, response, {
      decider: projectDecider,
      streamId: projectStreamId(command.projectId),
      authorize: (state: ProjectState) => {
        if (state.status === 'registered') {
          assertMayActFor(
            request.principal,
            projectRecorderCountries(state, command),
            `project ${command.projectId}`,
          );
        }
      },
      command,
    });
  }

  @Post()
  @Roles('recorder')
  @ApiOperation({ summary: 'RegisterProject: a mine or processing plant, in one country' })
  @ApiCommand({ creates: 'always', rules: ['duplicate-material'] })
  register(
    @Body() body: RegisterProjectDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    const country = parseCountry(body.country, 'country');
    const command: ProjectCommand = {
      type: 'RegisterProject',
      projectId: body.id ?? request.newEntityId('project'),
      ...commandTimes(body),
      name: parseText(body.name, 'name'),
      operator: parseText(body.operator, 'operator'),
      country,
      materials: body.materials.map((material, index) => parseMaterial(material, `materials[${index}]`)),
      // the DTO admits only the development stages: a project is not registered suspended or closed
      stage: body.stage as ProjectDevelopmentStage,
    };
    assertMayActFor(request.principal, [country], `a project in ${country}`);
    return this.run(request, response, command);
  }

  @Post(':id/capacity')
  @Roles('recorder')
  @ApiOperation({ summary: 'DeclareCapacity: the annual capacity for one of the project’s materials' })
  @ApiCommand({
    existing: true,
    rules: [...OPEN_PROJECT, 'material-not-in-project', 'capacity-below-commitments'],
  })
  declareCapacity(
    @EntityIdParam() projectId: string,
    @Body() body: DeclareCapacityDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.run(request, response, {
      type: 'DeclareCapacity',
      projectId,
      ...commandTimes(body),
      material: parseMaterial(body.material),
      annualCapacity: Quantity.parse(body.annualCapacity, 'annualCapacity'),
    });
  }

  @Post(':id/stage')
  @Roles('recorder')
  @ApiOperation({ summary: 'AdvanceStage: forward only, or into and out of suspension, or closed' })
  @ApiCommand({ existing: true, rules: [...OPEN_PROJECT, 'stage-regression'] })
  advanceStage(
    @EntityIdParam() projectId: string,
    @Body() body: AdvanceStageDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.run(request, response, {
      type: 'AdvanceStage',
      projectId,
      ...commandTimes(body),
      stage: body.stage as ProjectStage,
    });
  }

  @Post(':id/financings')
  @Roles('recorder')
  @ApiOperation({ summary: 'FinanceProject: equity, debt, grant, guarantee or prepayment' })
  @ApiCommand({ existing: true, rules: OPEN_PROJECT })
  finance(
    @EntityIdParam() projectId: string,
    @Body() body: FinanceProjectDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.run(request, response, {
      type: 'FinanceProject',
      projectId,
      ...commandTimes(body),
      financingId: body.financingId ?? request.newEntityId('financing'),
      financier: parseText(body.financier, 'financier'),
      financierCountry: parseCountry(body.financierCountry, 'financierCountry'),
      instrument: body.instrument as FinancingInstrument,
      amount: Money.parse(body.amount, 'amount'),
    });
  }

  @Post(':id/offtakes')
  @Roles('recorder')
  @ApiOperation({ summary: 'SignOfftake: within the declared capacity on every day of its term' })
  @ApiCommand({
    existing: true,
    rules: [
      ...OPEN_PROJECT,
      'invalid-term',
      'material-not-in-project',
      'capacity-not-declared',
      'capacity-exceeded',
    ],
  })
  signOfftake(
    @EntityIdParam() projectId: string,
    @Body() body: SignOfftakeDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.run(request, response, {
      type: 'SignOfftake',
      projectId,
      ...commandTimes(body),
      offtakeId: body.offtakeId ?? request.newEntityId('offtake'),
      buyer: parseText(body.buyer, 'buyer'),
      buyerCountry: parseCountry(body.buyerCountry, 'buyerCountry'),
      material: parseMaterial(body.material),
      annualVolume: Quantity.parse(body.annualVolume, 'annualVolume'),
      startsOn: parseDay(body.startsOn, 'startsOn'),
      endsOn: parseDay(body.endsOn, 'endsOn'),
    });
  }

  @Post(':id/offtakes/:offtakeId/deliveries')
  @Roles('recorder')
  @ApiOperation({ summary: 'RecordDelivery: a delivery under an offtake, within its term' })
  @ApiCommand({
    existing: true,
    rules: [...OPEN_PROJECT, 'effective-in-future', 'delivery-outside-term', 'offtake-terminated'],
  })
  recordDelivery(
    @EntityIdParam() projectId: string,
    @EntityIdParam('offtakeId') offtakeId: string,
    @Body() body: RecordDeliveryDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.run(request, response, {
      type: 'RecordDelivery',
      projectId,
      ...commandTimes(body),
      offtakeId,
      quantity: Quantity.parse(body.quantity),
      deliveredOn: parseDay(body.deliveredOn, 'deliveredOn'),
    });
  }

  @Post(':id/offtakes/:offtakeId/termination')
  @Roles('recorder')
  @ApiOperation({ summary: 'TerminateOfftake: frees its capacity from effectiveOn' })
  @ApiCommand({
    existing: true,
    rules: [
      ...OPEN_PROJECT,
      'offtake-terminated',
      'termination-outside-term',
      'deliveries-after-termination',
    ],
  })
  terminateOfftake(
    @EntityIdParam() projectId: string,
    @EntityIdParam('offtakeId') offtakeId: string,
    @Body() body: TerminateOfftakeDto,
    @CommandContext() request: CommandRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CommandResultDto> {
    return this.run(request, response, {
      type: 'TerminateOfftake',
      projectId,
      ...commandTimes(body),
      offtakeId,
      reason: parseText(body.reason, 'reason'),
      effectiveOn: parseDay(body.effectiveOn, 'effectiveOn'),
    });
  }

  @Get()
  @Roles('reader', 'auditor')
  @ApiOperation({
    summary: 'Projects registered as of a date, as known at a time, filtered (a page, or CSV)',
    description:
      '`stage` is the stage on the asOf day; `buyer` matches an offtake buyer’s name or country code.',
  })
  @ApiReport(ProjectPageDto, { csv: PROJECT_COLUMNS })
  async list(
    @Query() query: ProjectListQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ProjectPageDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const filter = {
      ...(query.country === undefined ? {} : { country: parseCountry(query.country, 'country') }),
      ...(query.material === undefined ? {} : { material: parseMaterial(query.material, 'material') }),
      ...(query.stage === undefined ? {} : { stage: query.stage }),
      ...(query.operator === undefined ? {} : { operator: query.operator }),
      ...(query.buyer === undefined ? {} : { buyer: query.buyer }),
    };
    const page = pageOf(query);
    if (wantsCsv(request, query.format)) {
      return streamCsv(
        response,
        PROJECT_COLUMNS,
        allPages((cursor) => this.queries.projects(filter, cut, { ...page, ...cursor })),
      );
    }
    return { asOf: cut.asOf, ...(await this.queries.projects(filter, cut, page)) };
  }

  @Get(':id')
  @Roles('reader', 'auditor')
  @ApiOperation({ summary: 'A project: stage, capacity per material, financings, offtake book' })
  @ApiReport(ProjectViewDto, { csv: OFFTAKE_COLUMNS, notFound: true })
  async project(
    @EntityIdParam() projectId: string,
    @Query() query: ReportQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ProjectViewDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const view = await this.queries.project(projectId, cut);
    if (!view) throw new NotFoundProblem(`project ${projectId} is not known at that time`);
    if (wantsCsv(request, query.format)) return sendCsv(response, OFFTAKE_COLUMNS, view.offtakes);
    return view;
  }

  @Get(':id/offtake-book')
  @Roles('reader', 'auditor')
  @ApiOperation({
    summary: 'The offtake book per material: capacity, committed on asOf, peak commitment, headroom',
  })
  @ApiReport(OfftakeBookDto, { csv: BOOK_COLUMNS, notFound: true })
  async offtakeBook(
    @EntityIdParam() projectId: string,
    @Query() query: OfftakeBookQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<OfftakeBookDto | void> {
    const cut = await this.cuts.cut(query, READS);
    const material = query.material === undefined ? undefined : parseMaterial(query.material, 'material');
    const book = await this.queries.offtakeBook(projectId, material, cut);
    if (!book) throw new NotFoundProblem(`project ${projectId} is not known at that time`);
    if (wantsCsv(request, query.format)) return sendCsv(response, BOOK_COLUMNS, book.materials);
    return book;
  }
}
