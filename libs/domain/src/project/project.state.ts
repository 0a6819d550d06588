import { assertNever } from '../shared/decider';
import type { Instant } from '../values/instant';
import type { ProjectCommand } from './project.commands';
import { storedGrams } from '../values/quantity';
import {
  PROJECT_STAGE_ORDER,
  type ProjectDevelopmentStage,
  type ProjectEvent,
  type ProjectStage,
} from './project.events';

/** One offtake of the book, as far as the project's rules need it. Days are `YYYY-MM-DD`, which sort lexically. */
export interface OfftakeTerm {
  /** the buyer's country: its recorders may record the offtake's deliveries and termination */
  buyerCountry: string;
  material: string;
  annualGrams: bigint;
  startsOn: string;
  endsOn: string;
  /** the first day the offtake is no longer in force because it was terminated */
  terminatedOn?: string;
  /** the latest day a delivery was recorded on, so a back-dated termination cannot strand it */
  lastDeliveredOn?: string;
}

export type ProjectState =
  | { status: 'unknown' }
  | {
      status: 'registered';
      projectId: string;
      /** when the project was registered: nothing about it is effective before */
      registeredAt: Instant;
      country: string;
      materials: readonly string[];
      stage: ProjectStage;
      /** the stage held when the project was suspended: it may resume there or later, never earlier */
      stageBeforeSuspension?: ProjectDevelopmentStage;
      /** the declared annual capacity per material, in grams; a later declaration replaces the earlier */
      capacities: ReadonlyMap<string, bigint>;
      financingIds: ReadonlySet<string>;
      offtakes: ReadonlyMap<string, OfftakeTerm>;
    };

export const initialProjectState: ProjectState = { status: 'unknown' };

export const isDevelopmentStage = (stage: ProjectStage): stage is ProjectDevelopmentStage =>
  (PROJECT_STAGE_ORDER as readonly string[]).includes(stage);

function withOfftake(
  offtakes: ReadonlyMap<string, OfftakeTerm>,
  offtakeId: string,
  change: Partial<OfftakeTerm>,
): ReadonlyMap<string, OfftakeTerm> {
  const current = offtakes.get(offtakeId);
  // A change to an offtake the stream never signed is a corrupt stream; ignore it like any other.
  if (!current) return offtakes;
  return new Map(offtakes).set(offtakeId, { ...current, ...change });
}

export function evolveProject(state: ProjectState, event: ProjectEvent): ProjectState {
  if (event.type === 'ProjectRegistered') {
    return {
      status: 'registered',
      projectId: event.data.projectId,
      registeredAt: event.effectiveAt,
      country: event.data.country,
      materials: event.data.materials,
      stage: event.data.stage,
      capacities: new Map(),
      financingIds: new Set(),
      offtakes: new Map(),
    };
  }
  // Events for a project always follow its registration; anything else is a corrupt stream, so ignore it.
  if (state.status !== 'registered') return state;

  switch (event.type) {
    case 'CapacityDeclared':
      return {
        ...state,
        capacities: new Map(state.capacities).set(
          event.data.material,
          storedGrams(event.data.annualCapacity),
        ),
      };
    case 'ProjectStageAdvanced': {
      const { from, to } = event.data;
      if (to === 'suspended') {
        // Suspending twice keeps the stage held before the first suspension.
        const held = isDevelopmentStage(from) ? from : state.stageBeforeSuspension;
        return { ...state, stage: to, ...(held ? { stageBeforeSuspension: held } : {}) };
      }
      const { stageBeforeSuspension: _resumed, ...rest } = state;
      return { ...rest, stage: to };
    }
    case 'ProjectFinanced':
      return { ...state, financingIds: new Set(state.financingIds).add(event.data.financingId) };
    case 'OfftakeSigned':
      return {
        ...state,
        offtakes: new Map(state.offtakes).set(event.data.offtakeId, {
          buyerCountry: event.data.buyerCountry,
          material: event.data.material,
          annualGrams: storedGrams(event.data.annualVolume),
          startsOn: event.data.startsOn,
          endsOn: event.data.endsOn,
        }),
      };
    case 'OfftakeDeliveryRecorded': {
      const latest = state.offtakes.get(event.data.offtakeId)?.lastDeliveredOn;
      const deliveredOn = event.data.deliveredOn;
      return {
        ...state,
        offtakes: withOfftake(state.offtakes, event.data.offtakeId, {
          lastDeliveredOn: latest !== undefined && latest > deliveredOn ? latest : deliveredOn,
        }),
      };
    }
    case 'OfftakeTerminated':
      return {
        ...state,
        offtakes: withOfftake(state.offtakes, event.data.offtakeId, { terminatedOn: event.data.effectiveOn }),
      };
    default:
      return assertNever(event);
  }
}

/** A commitment of `grams` a year in force on every day of [from, until). */
export interface Commitment {
  from: string;
  until: string;
  grams: bigint;
}

/** The days an offtake is in force: its term, cut short at its termination. */
export function offtakeInForce(offtake: OfftakeTerm): Commitment {
  const until =
    offtake.terminatedOn !== undefined && offtake.terminatedOn < offtake.endsOn
      ? offtake.terminatedOn
      : offtake.endsOn;
  return { from: offtake.startsOn, until, grams: offtake.annualGrams };
}

/** The commitments of the book for one material. */
export const commitmentsFor = (offtakes: ReadonlyMap<string, OfftakeTerm>, material: string): Commitment[] =>
  [...offtakes.values()].filter((offtake) => offtake.material === material).map(offtakeInForce);

/**
 * The highest total of commitments in force on any one day (within `window` when given), exactly.
 * Sweeps the term boundaries rather than the days: the total only changes where a term starts or ends,
 * and a term ending on the day another starts hands over on that day, so the two never count together.
 */
export function peakCommitment(
  commitments: readonly Commitment[],
  window?: { from: string; until: string },
): bigint {
  const deltas = new Map<string, bigint>();
  for (const commitment of commitments) {
    const from = window && commitment.from < window.from ? window.from : commitment.from;
    const until = window && commitment.until > window.until ? window.until : commitment.until;
    if (from >= until) continue;
    deltas.set(from, (deltas.get(from) ?? 0n) + commitment.grams);
    deltas.set(until, (deltas.get(until) ?? 0n) - commitment.grams);
  }
  const boundaries = [...deltas.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  let load = 0n;
  let peak = 0n;
  for (const [, delta] of boundaries) {
    load += delta;
    if (load > peak) peak = load;
  }
  return peak;
}

/** The country whose recorders may act for this project; none before it is registered. */
export const projectCountry = (state: ProjectState): string | undefined =>
  state.status === 'registered' ? state.country : undefined;

/**
 * Countries whose recorders may send this command (DOMAIN.md): an offtake, its deliveries and its
 * termination by the project's country or the buyer's (both parties' agencies follow the contract); the
 * rest of a project by its country. Empty before the project is registered: the decider then refuses.
 */
export function projectRecorderCountries(state: ProjectState, command: ProjectCommand): string[] {
  if (state.status !== 'registered') return [];
  switch (command.type) {
    case 'SignOfftake':
      return [state.country, command.buyerCountry];
    case 'RecordDelivery':
    case 'TerminateOfftake': {
      const buyerCountry = state.offtakes.get(command.offtakeId)?.buyerCountry;
      return buyerCountry === undefined ? [state.country] : [state.country, buyerCountry];
    }
    default:
      return [state.country];
  }
}
