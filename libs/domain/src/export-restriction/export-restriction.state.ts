import { assertNever } from '../shared/decider';
import { EVERY_DESTINATION, type ExportRestrictionEvent } from './export-restriction.events';

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

/**
 * Whether a restriction applies on `day` (`YYYY-MM-DD`) to exports of `material` to `importer` (DOMAIN.md):
 * it has taken effect (effectiveFrom ≤ day), was not lifted on or before that day, covers the material,
 * and names the importer or every destination ("*"); the imposing country never restricts itself, not
 * even through "*". Without an importer or a material, to some importer or of some material. The single
 * source of this rule: the read side applies it to the measures it finds.
 */
export function isRestrictionActive(
  restriction: RestrictionTerms,
  day: string,
  importer?: string,
  material?: string,
): boolean {
  if (restriction.effectiveFrom > day) return false;
  if (restriction.liftedFrom !== undefined && restriction.liftedFrom <= day) return false;
  return restrictionCovers(restriction, importer, material);
}

/** Whether a restriction covers exports of `material` to `importer` at all, on whichever days it applies. */
export function restrictionCovers(
  restriction: RestrictionTerms,
  importer?: string,
  material?: string,
): boolean {
  if (material !== undefined && !restriction.materials.includes(material)) return false;
  if (importer === undefined) return true;
  if (importer === restriction.imposedBy) return false;
  return restriction.appliesTo.includes(importer) || restriction.appliesTo.includes(EVERY_DESTINATION);
}
