import { assertNever } from '../shared/decider';
import type { ExportRestrictionEvent } from './export-restriction.events';

/** What a restriction is, as `isRestrictionActive` needs it; days are `YYYY-MM-DD`. */
export interface RestrictionTerms {
  imposedBy: string;
  materials: readonly string[];
  appliesTo: readonly string[];
  effectiveFrom: string;
  /** the first day it no longer applies, once lifted */
  liftedFrom?: string;
}

export type ExportRestrictionState =
  | { status: 'unknown' }
  | ({ status: 'imposed'; restrictionId: string } & RestrictionTerms)
  | ({ status: 'lifted'; restrictionId: string; liftedFrom: string } & RestrictionTerms);

export const initialExportRestrictionState: ExportRestrictionState = { status: 'unknown' };

export function evolveExportRestriction(
  state: ExportRestrictionState,
  event: ExportRestrictionEvent,
): ExportRestrictionState {
  switch (event.type) {
    case 'ExportRestricted':
      return {
        status: 'imposed',
        restrictionId: event.data.restrictionId,
        imposedBy: event.data.imposedBy,
        materials: event.data.materials,
        appliesTo: event.data.appliesTo,
        effectiveFrom: event.data.effectiveFrom,
      };
    case 'ExportRestrictionLifted':
      // A lift without its restriction is a corrupt stream; ignore it.
      if (state.status !== 'imposed') return state;
      return { ...state, status: 'lifted', liftedFrom: event.data.effectiveFrom };
    default:
      return assertNever(event);
  }
}
