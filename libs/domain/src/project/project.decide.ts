import { assertNever, type Decider } from '../shared/decider';
import { alreadyExists, invalidValue, notFound, ruleBroken } from '../shared/domain-error';
import { requireHappened, requireNotBefore } from '../shared/time-rules';
import { startOfDay } from '../values/instant';
import { gramsToKilograms } from '../values/quantity';
import type {
  AdvanceStage,
  DeclareCapacity,
  FinanceProject,
  ProjectCommand,
  RecordDelivery,
  RegisterProject,
  SignOfftake,
  TerminateOfftake,
} from './project.commands';
import {
  PROJECT_STAGE_ORDER,
  type ProjectDevelopmentStage,
  type ProjectEvent,
  type ProjectStage,
} from './project.events';
import {
  commitmentsFor,
  evolveProject,
  initialProjectState,
  isDevelopmentStage,
  type OfftakeTerm,
  peakCommitment,
  type ProjectState,
} from './project.state';

type Registered = Extract<ProjectState, { status: 'registered' }>;

/** Every command but the registration needs an open project and a time on or after its registration. */
function requireOpenProject(state: ProjectState, command: ProjectCommand): Registered {
  if (state.status !== 'registered') throw notFound('project', command.projectId);
  // A closed project is a finished record: nothing more may be added to it.
  if (state.stage === 'closed') throw ruleBroken('project-closed', `project ${command.projectId} is closed`);
  requireNotBefore(command.effectiveAt, state.registeredAt, `an event of project ${command.projectId}`);
  return state;
}

function requireMaterialOfProject(state: Registered, material: string): void {
  if (!state.materials.includes(material)) {
    throw ruleBroken('material-not-in-project', `project ${state.projectId} does not produce ${material}`);
  }
}

function requireOfftake(state: Registered, offtakeId: string): OfftakeTerm {
  const offtake = state.offtakes.get(offtakeId);
  if (!offtake) throw notFound('offtake', offtakeId);
  return offtake;
}

const rank = (stage: ProjectDevelopmentStage): number => PROJECT_STAGE_ORDER.indexOf(stage);

/**
 * Stages only move forward (skipping allowed); `suspended` can be entered from any open stage and left for
 * the stage held before it or a later one; `closed` can be entered from anywhere and never left.
 * Staying where one is counts as not moving forward.
 */
function requireStageMove(state: Registered, to: ProjectStage): void {
  const from = state.stage;
  if (to === 'closed') return;
  if (to === 'suspended') {
    if (from === 'suspended')
      throw ruleBroken('stage-regression', `project ${state.projectId} is already suspended`);
    return;
  }
  if (from === 'suspended') {
    const held = state.stageBeforeSuspension;
    if (held !== undefined && rank(to) < rank(held)) {
      throw ruleBroken(
        'stage-regression',
        `project ${state.projectId} was at ${held} when suspended and cannot resume at the earlier stage ${to}`,
      );
    }
    return;
  }
  if (isDevelopmentStage(from) && rank(to) <= rank(from)) {
    throw ruleBroken(
      'stage-regression',
      `project ${state.projectId} is at ${from}; stages only move forward, not to ${to}`,
    );
  }
}

function registerProject(command: RegisterProject, state: ProjectState): ProjectEvent[] {
  if (state.status !== 'unknown') throw alreadyExists('project', command.projectId);
  if (command.materials.length === 0) {
    throw invalidValue('materials', 'a project needs at least one material');
  }
  if (new Set(command.materials).size !== command.materials.length) {
    throw ruleBroken('duplicate-material', 'a material is listed more than once');
  }
  if (!isDevelopmentStage(command.stage)) {
    throw invalidValue('stage', `a project is registered at one of ${PROJECT_STAGE_ORDER.join(', ')}`);
  }
  return [
    {
      type: 'ProjectRegistered',
      effectiveAt: command.effectiveAt,
      data: {
        projectId: command.projectId,
        name: command.name,
        operator: command.operator,
        country: command.country,
        materials: [...command.materials],
        stage: command.stage,
      },
    },
  ];
}

/** A later declaration replaces the earlier one, but never below what the offtake book commits at its peak. */
function declareCapacity(command: DeclareCapacity, state: ProjectState): ProjectEvent[] {
  const project = requireOpenProject(state, command);
  requireMaterialOfProject(project, command.material);
  const committed = peakCommitment(commitmentsFor(project.offtakes, command.material));
  if (command.annualCapacity.grams < committed) {
    throw ruleBroken(
      'capacity-below-commitments',
      `the offtake book commits up to ${gramsToKilograms(committed)} kg a year of ${command.material}; ` +
        `capacity cannot be declared below that`,
    );
  }
  return [
    {
      type: 'CapacityDeclared',
      effectiveAt: command.effectiveAt,
      data: { material: command.material, annualCapacity: command.annualCapacity.toJSON() },
    },
  ];
}

function advanceStage(command: AdvanceStage, state: ProjectState): ProjectEvent[] {
  const project = requireOpenProject(state, command);
  requireStageMove(project, command.stage);
  return [
    {
      type: 'ProjectStageAdvanced',
      effectiveAt: command.effectiveAt,
      data: { from: project.stage, to: command.stage },
    },
  ];
}

function financeProject(command: FinanceProject, state: ProjectState): ProjectEvent[] {
  const project = requireOpenProject(state, command);
  if (project.financingIds.has(command.financingId)) throw alreadyExists('financing', command.financingId);
  return [
    {
      type: 'ProjectFinanced',
      effectiveAt: command.effectiveAt,
      data: {
        financingId: command.financingId,
        financier: command.financier,
        financierCountry: command.financierCountry,
        instrument: command.instrument,
        amount: command.amount.toJSON(),
      },
    },
  ];
}

/**
 * On no day may the offtakes in force for the material, the new one included, add up to more than the
 * declared capacity [capacity-exceeded]; the project is the consistency boundary of its book.
 */
function signOfftake(command: SignOfftake, state: ProjectState): ProjectEvent[] {
  const project = requireOpenProject(state, command);
  if (project.offtakes.has(command.offtakeId)) throw alreadyExists('offtake', command.offtakeId);
  const { material, startsOn, endsOn } = command;
  if (endsOn <= startsOn) {
    throw ruleBroken('invalid-term', `an offtake must end after it starts (${startsOn} to ${endsOn})`);
  }
  requireMaterialOfProject(project, material);
  const capacity = project.capacities.get(material);
  if (capacity === undefined) {
    throw ruleBroken(
      'capacity-not-declared',
      `project ${project.projectId} has declared no capacity for ${material}`,
    );
  }
  const committed = peakCommitment(commitmentsFor(project.offtakes, material), {
    from: startsOn,
    until: endsOn,
  });
  const needed = committed + command.annualVolume.grams;
  if (needed > capacity) {
    throw ruleBroken(
      'capacity-exceeded',
      `between ${startsOn} and ${endsOn} the offtakes of ${material} would reach ${gramsToKilograms(needed)} kg a year, ` +
        `above the declared capacity of ${gramsToKilograms(capacity)} kg`,
    );
  }
  return [
    {
      type: 'OfftakeSigned',
      effectiveAt: command.effectiveAt,
      data: {
        offtakeId: command.offtakeId,
        buyer: command.buyer,
        buyerCountry: command.buyerCountry,
        material,
        annualVolume: command.annualVolume.toJSON(),
        startsOn,
        endsOn,
      },
    },
  ];
}

/** A delivery happened: within the term, before any termination, and not after it is recorded. */
function recordDelivery(command: RecordDelivery, state: ProjectState): ProjectEvent[] {
  const project = requireOpenProject(state, command);
  const offtake = requireOfftake(project, command.offtakeId);
  const { deliveredOn } = command;
  requireHappened(command.effectiveAt, command.now, 'a delivery');
  requireHappened(startOfDay(deliveredOn), command.now, `a delivery on ${deliveredOn}`);
  if (deliveredOn < offtake.startsOn || deliveredOn >= offtake.endsOn) {
    throw ruleBroken(
      'delivery-outside-term',
      `offtake ${command.offtakeId} runs from ${offtake.startsOn} until before ${offtake.endsOn}, not on ${deliveredOn}`,
    );
  }
  if (offtake.terminatedOn !== undefined && deliveredOn >= offtake.terminatedOn) {
    throw ruleBroken(
      'offtake-terminated',
      `offtake ${command.offtakeId} was terminated from ${offtake.terminatedOn}`,
    );
  }
  return [
    {
      type: 'OfftakeDeliveryRecorded',
      effectiveAt: command.effectiveAt,
      data: { offtakeId: command.offtakeId, quantity: command.quantity.toJSON(), deliveredOn },
    },
  ];
}

/** Frees capacity from effectiveOn; once only, within the term, and never stranding a recorded delivery. */
function terminateOfftake(command: TerminateOfftake, state: ProjectState): ProjectEvent[] {
  const project = requireOpenProject(state, command);
  const offtake = requireOfftake(project, command.offtakeId);
  const { effectiveOn } = command;
  if (offtake.terminatedOn !== undefined) {
    throw ruleBroken(
      'offtake-terminated',
      `offtake ${command.offtakeId} was already terminated from ${offtake.terminatedOn}`,
    );
  }
  if (effectiveOn < offtake.startsOn || effectiveOn >= offtake.endsOn) {
    throw ruleBroken(
      'termination-outside-term',
      `offtake ${command.offtakeId} runs from ${offtake.startsOn} until before ${offtake.endsOn}; it cannot end on ${effectiveOn}`,
    );
  }
  if (offtake.lastDeliveredOn !== undefined && offtake.lastDeliveredOn >= effectiveOn) {
    throw ruleBroken(
      'deliveries-after-termination',
      `offtake ${command.offtakeId} has a delivery recorded on ${offtake.lastDeliveredOn}; it cannot end on or before that day`,
    );
  }
  return [
    {
      type: 'OfftakeTerminated',
      effectiveAt: command.effectiveAt,
      data: { offtakeId: command.offtakeId, reason: command.reason, effectiveOn },
    },
  ];
}

function decideProject(command: ProjectCommand, state: ProjectState): ProjectEvent[] {
  switch (command.type) {
    case 'RegisterProject':
      return registerProject(command, state);
    case 'DeclareCapacity':
      return declareCapacity(command, state);
    case 'AdvanceStage':
      return advanceStage(command, state);
    case 'FinanceProject':
      return financeProject(command, state);
    case 'SignOfftake':
      return signOfftake(command, state);
    case 'RecordDelivery':
      return recordDelivery(command, state);
    case 'TerminateOfftake':
      return terminateOfftake(command, state);
    default:
      return assertNever(command);
  }
}

export const projectDecider: Decider<ProjectCommand, ProjectEvent, ProjectState> = {
  initialState: initialProjectState,
  evolve: evolveProject,
  decide: decideProject,
};
