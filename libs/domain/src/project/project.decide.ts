import { assertNever, type Decider } from '../shared/decider';
import { alreadyExists, invalidValue, notFound, ruleBroken } from '../shared/domain-error';
import { gramsToKilograms } from '../values/quantity';
import type { ProjectCommand } from './project.commands';
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

function requireRegistered(state: ProjectState, projectId: string): Registered {
  if (state.status !== 'registered') throw notFound('project', projectId);
  // A closed project is a finished record: nothing more may be added to it.
  if (state.stage === 'closed') throw ruleBroken('project-closed', `project ${projectId} is closed`);
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

function decideProject(command: ProjectCommand, state: ProjectState): ProjectEvent[] {
  const { effectiveAt } = command;
  switch (command.type) {
    case 'RegisterProject': {
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
          effectiveAt,
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
    case 'DeclareCapacity': {
      const project = requireRegistered(state, command.projectId);
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
          effectiveAt,
          data: { material: command.material, annualCapacity: command.annualCapacity.toJSON() },
        },
      ];
    }
    case 'AdvanceStage': {
      const project = requireRegistered(state, command.projectId);
      requireStageMove(project, command.stage);
      return [
        { type: 'ProjectStageAdvanced', effectiveAt, data: { from: project.stage, to: command.stage } },
      ];
    }
    case 'FinanceProject': {
      const project = requireRegistered(state, command.projectId);
      if (project.financingIds.has(command.financingId))
        throw alreadyExists('financing', command.financingId);
      return [
        {
          type: 'ProjectFinanced',
          effectiveAt,
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
    case 'SignOfftake': {
      const project = requireRegistered(state, command.projectId);
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
          effectiveAt,
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
    case 'RecordDelivery': {
      const project = requireRegistered(state, command.projectId);
      const offtake = requireOfftake(project, command.offtakeId);
      const { deliveredOn } = command;
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
          effectiveAt,
          data: { offtakeId: command.offtakeId, quantity: command.quantity.toJSON(), deliveredOn },
        },
      ];
    }
    case 'TerminateOfftake': {
      const project = requireRegistered(state, command.projectId);
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
      // Deliveries may not fall on or after a termination; a back-dated termination must not strand one.
      if (offtake.lastDeliveredOn !== undefined && offtake.lastDeliveredOn >= effectiveOn) {
        throw ruleBroken(
          'deliveries-after-termination',
          `offtake ${command.offtakeId} has a delivery recorded on ${offtake.lastDeliveredOn}; it cannot end on or before that day`,
        );
      }
      return [
        {
          type: 'OfftakeTerminated',
          effectiveAt,
          data: { offtakeId: command.offtakeId, reason: command.reason, effectiveOn },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

export const projectDecider: Decider<ProjectCommand, ProjectEvent, ProjectState> = {
  initialState: initialProjectState,
  evolve: evolveProject,
  decide: decideProject,
};

/** The stream of one project. Categories carry no dashes, so the id after the first dash is the entity's. */
export const projectStreamId = (projectId: string): string => `project-${projectId}`;

/** The country whose recorders may act for this project; none before it is registered. */
export const projectCountry = (state: ProjectState): string | undefined =>
  state.status === 'registered' ? state.country : undefined;
