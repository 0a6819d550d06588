import { assertNever, type Decider } from '../shared/decider';
import { alreadyExists, invalidValue, notFound, ruleBroken } from '../shared/domain-error';
import type {
  ExportRestrictionCommand,
  LiftRestriction,
  RestrictExports,
} from './export-restriction.commands';
import { EVERY_DESTINATION, type ExportRestrictionEvent } from './export-restriction.events';
import {
  evolveExportRestriction,
  type ExportRestrictionState,
  initialExportRestrictionState,
} from './export-restriction.state';

/** A measure names its materials and destinations once each, and never restricts its own country. */
function restrictExports(command: RestrictExports, state: ExportRestrictionState): ExportRestrictionEvent[] {
  if (state.status !== 'unknown') throw alreadyExists('export restriction', command.restrictionId);
  const { imposedBy, materials, appliesTo, announcedOn, effectiveFrom } = command;
  if (materials.length === 0) throw invalidValue('materials', 'a restriction covers at least one material');
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
      effectiveAt: command.effectiveAt,
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

/** Once only, and not before the restriction's own effectiveFrom. */
function liftRestriction(command: LiftRestriction, state: ExportRestrictionState): ExportRestrictionEvent[] {
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
    {
      type: 'ExportRestrictionLifted',
      effectiveAt: command.effectiveAt,
      data: { effectiveFrom: command.effectiveFrom },
    },
  ];
}

function decideExportRestriction(
  command: ExportRestrictionCommand,
  state: ExportRestrictionState,
): ExportRestrictionEvent[] {
  switch (command.type) {
    case 'RestrictExports':
      return restrictExports(command, state);
    case 'LiftRestriction':
      return liftRestriction(command, state);
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
