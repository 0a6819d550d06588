import type { Country } from '../values/country';
import type { Day, Instant } from '../values/instant';
import type { Material } from '../values/material';
import type { EVERY_DESTINATION, RestrictionMeasure } from './export-restriction.events';

/**
 * Commands arrive with values already parsed (Country, Material, Day, ...) and with everything the domain
 * must not invent itself: the new ids and the effective time.
 */
interface ExportRestrictionCommandBase {
  restrictionId: string;
  effectiveAt: Instant;
}

export interface RestrictExports extends ExportRestrictionCommandBase {
  type: 'RestrictExports';
  imposedBy: Country;
  materials: Material[];
  measure: RestrictionMeasure;
  appliesTo: (Country | typeof EVERY_DESTINATION)[];
  announcedOn: Day;
  effectiveFrom: Day;
  legalReference: string;
}

export interface LiftRestriction extends ExportRestrictionCommandBase {
  type: 'LiftRestriction';
  effectiveFrom: Day;
}

export type ExportRestrictionCommand = RestrictExports | LiftRestriction;
