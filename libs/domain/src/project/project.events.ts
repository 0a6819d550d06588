import type { DomainEvent } from '../shared/decider';
import type { MoneyDto } from '../values/money';
import type { QuantityDto } from '../values/quantity';

/** Stored facts of the Project aggregate. Never renamed once stored; a new shape gets a new schema version. */

/** The development stages, in the only order a project may move through them (skipping allowed). */
export const PROJECT_STAGE_ORDER = [
  'exploration',
  'feasibility',
  'financing',
  'construction',
  'commissioning',
  'production',
] as const;
export type ProjectDevelopmentStage = (typeof PROJECT_STAGE_ORDER)[number];

/** Every stage a project can hold: the development stages plus `suspended` (and back) and `closed` (final). */
export const PROJECT_STAGES = [...PROJECT_STAGE_ORDER, 'suspended', 'closed'] as const;
export type ProjectStage = (typeof PROJECT_STAGES)[number];

export const FINANCING_INSTRUMENTS = ['equity', 'debt', 'grant', 'guarantee', 'prepayment'] as const;
export type FinancingInstrument = (typeof FINANCING_INSTRUMENTS)[number];

export type ProjectRegistered = DomainEvent<
  'ProjectRegistered',
  {
    projectId: string;
    name: string;
    operator: string;
    country: string;
    materials: string[];
    stage: ProjectStage;
  }
>;

export type CapacityDeclared = DomainEvent<
  'CapacityDeclared',
  { material: string; annualCapacity: QuantityDto }
>;

export type ProjectStageAdvanced = DomainEvent<
  'ProjectStageAdvanced',
  { from: ProjectStage; to: ProjectStage }
>;

export type ProjectFinanced = DomainEvent<
  'ProjectFinanced',
  {
    financingId: string;
    financier: string;
    financierCountry: string;
    instrument: FinancingInstrument;
    amount: MoneyDto;
  }
>;

export type OfftakeSigned = DomainEvent<
  'OfftakeSigned',
  {
    offtakeId: string;
    buyer: string;
    buyerCountry: string;
    material: string;
    annualVolume: QuantityDto;
    /** first day in force (`YYYY-MM-DD`) */
    startsOn: string;
    /** first day no longer in force (`YYYY-MM-DD`): the term is [startsOn, endsOn) */
    endsOn: string;
  }
>;

export type OfftakeDeliveryRecorded = DomainEvent<
  'OfftakeDeliveryRecorded',
  { offtakeId: string; quantity: QuantityDto; deliveredOn: string }
>;

export type OfftakeTerminated = DomainEvent<
  'OfftakeTerminated',
  {
    offtakeId: string;
    reason: string;
    /** first day the offtake is no longer in force */
    effectiveOn: string;
  }
>;

export type ProjectEvent =
  | ProjectRegistered
  | CapacityDeclared
  | ProjectStageAdvanced
  | ProjectFinanced
  | OfftakeSigned
  | OfftakeDeliveryRecorded
  | OfftakeTerminated;

export const PROJECT_EVENT_TYPES: readonly ProjectEvent['type'][] = [
  'ProjectRegistered',
  'CapacityDeclared',
  'ProjectStageAdvanced',
  'ProjectFinanced',
  'OfftakeSigned',
  'OfftakeDeliveryRecorded',
  'OfftakeTerminated',
];
