import { assertNever, type Decider } from '../shared/decider';
import { alreadyExists, invalidValue, notFound, ruleBroken } from '../shared/domain-error';
import type { ExportRestrictionCommand } from './export-restriction.commands';
import { EVERY_DESTINATION, type ExportRestrictionEvent } from './export-restriction.events';
import {
  evolveExportRestriction,
  type ExportRestrictionState,
  initialExportRestrictionState,
  type RestrictionTerms,
} from './export-restriction.state';

function decideExportRestriction(
  command: ExportRestrictionCommand,
  state: ExportRestrictionState,
): ExportRestrictionEvent[] {
  const { effectiveAt } = command;
  switch (command.type) {
    case 'RestrictExports': {
      if (state.status !== 'unknown') throw alreadyExists('export restriction', command.restrictionId);
      const { imposedBy, materials, appliesTo, announcedOn, effectiveFrom } = command;
      if (materials.length === 0)
        throw invalidValue('materials', 'a restriction covers at least one material');
      if (new Set(materials).size !== materials.length) {
        throw ruleBroken('duplicate-material', 'a material is listed more than once');
      }
      if (appliesTo.length === 0) {
        throw invalidValue(
          'appliesTo',
          `a restriction applies to at least one country, or to ["${EVERY_DESTINATION}"]`,
        );
      }
      if (appliesTo.length > 1 && appliesTo.includes(EVERY_DESTINATION)) {
        throw invalidValue(
          'appliesTo',
          `"${EVERY_DESTINATION}" already means every destination and stands alone`,
        );
      }
      if (new Set(appliesTo).size !== appliesTo.length) {
        throw ruleBroken('duplicate-destination', 'a destination is listed more than once');
      }
      if (appliesTo.includes(imposedBy)) {
        throw ruleBroken('self-restriction', `${imposedBy} cannot restrict exports to itself`);
      }
      if (announcedOn > effectiveFrom) {
        throw ruleBroken(
          'invalid-dates',
          `a restriction announced on ${announcedOn} cannot take effect before that, on ${effectiveFrom}`,
        );
      }
      return [
        {
          type: 'ExportRestricted',
          effectiveAt,
          data: {
            restrictionId: command.restrictionId,
            imposedBy,
            materials: [...materials],
            measure: command.measure,
            appliesTo: [...appliesTo],
            announcedOn,
            effectiveFrom,
            legalReference: command.legalReference,
          },
        },
      ];
    }
    case 'LiftRestriction': {
      if (state.status === 'unknown') throw notFound('export restriction', command.restrictionId);
      if (state.status === 'lifted') {
        throw ruleBroken(
          'already-lifted',
          `export restriction ${command.restrictionId} was lifted from ${state.liftedFrom}`,
        );
      }
      if (command.effectiveFrom < state.effectiveFrom) {
        throw ruleBroken(
          'lift-before-effective',
          `export restriction ${command.restrictionId} takes effect on ${state.effectiveFrom}; it cannot be lifted from ${command.effectiveFrom}`,
        );
      }
      return [
        { type: 'ExportRestrictionLifted', effectiveAt, data: { effectiveFrom: command.effectiveFrom } },
      ];
    }
    default:
      return assertNever(command);
  }
}

export const exportRestrictionDecider: Decider<
  ExportRestrictionCommand,
  ExportRestrictionEvent,
  ExportRestrictionState
> = {
  initialState: initialExportRestrictionState,
  evolve: evolveExportRestriction,
  decide: decideExportRestriction,
};

/** The stream of one export restriction. Categories carry no dashes (hence the camel case). */
export const exportRestrictionStreamId = (restrictionId: string): string =>
  `exportRestriction-${restrictionId}`;

/**
 * Whether a restriction applies on `day` (`YYYY-MM-DD`) to exports of `material` to `importer`: it has taken
 * effect (effectiveFrom ≤ day), was not lifted on or before that day, covers the material, and names the
 * importer or every destination ("*"); the imposing country never restricts itself, not even through "*".
 */
export function isRestrictionActive(
  restriction: RestrictionTerms,
  day: string,
  importer: string,
  material: string,
): boolean {
  if (restriction.effectiveFrom > day) return false;
  if (restriction.liftedFrom !== undefined && restriction.liftedFrom <= day) return false;
  if (!restriction.materials.includes(material)) return false;
  if (importer === restriction.imposedBy) return false;
  return restriction.appliesTo.includes(importer) || restriction.appliesTo.includes(EVERY_DESTINATION);
}
