import type { Country } from '../values/country';
import type { Day, Instant } from '../values/instant';
import type { Material } from '../values/material';
import type { Money } from '../values/money';
import type { Quantity } from '../values/quantity';
import type { FinancingInstrument, ProjectStage } from './project.events';

/**
 * Commands arrive with values already parsed (Quantity, Country, ...) and with everything the domain
 * must not invent itself: the new ids, the effective time and the moment of recording (`now`).
 */
interface ProjectCommandBase {
  projectId: string;
  effectiveAt: Instant;
  /** the edge's clock when the command arrived: a delivery cannot be effective after it */
  now: Instant;
}

export interface RegisterProject extends ProjectCommandBase {
  type: 'RegisterProject';
  name: string;
  operator: string;
  country: Country;
  materials: Material[];
  stage: ProjectStage;
}

export interface DeclareCapacity extends ProjectCommandBase {
  type: 'DeclareCapacity';
  material: Material;
  annualCapacity: Quantity;
}

export interface AdvanceStage extends ProjectCommandBase {
  type: 'AdvanceStage';
  stage: ProjectStage;
}

export interface FinanceProject extends ProjectCommandBase {
  type: 'FinanceProject';
  financingId: string;
  financier: string;
  financierCountry: Country;
  instrument: FinancingInstrument;
  amount: Money;
}

export interface SignOfftake extends ProjectCommandBase {
  type: 'SignOfftake';
  offtakeId: string;
  buyer: string;
  buyerCountry: Country;
  material: Material;
  annualVolume: Quantity;
  startsOn: Day;
  endsOn: Day;
}

export interface RecordDelivery extends ProjectCommandBase {
  type: 'RecordDelivery';
  offtakeId: string;
  quantity: Quantity;
  deliveredOn: Day;
}

export interface TerminateOfftake extends ProjectCommandBase {
  type: 'TerminateOfftake';
  offtakeId: string;
  reason: string;
  effectiveOn: Day;
}

export type ProjectCommand =
  | RegisterProject
  | DeclareCapacity
  | AdvanceStage
  | FinanceProject
  | SignOfftake
  | RecordDelivery
  | TerminateOfftake;
