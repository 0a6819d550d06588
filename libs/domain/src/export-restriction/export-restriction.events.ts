import type { DomainEvent } from '../shared/decider';

/** Stored facts of the Export restriction aggregate. Never renamed once stored; a new shape gets a new schema version. */

export const RESTRICTION_MEASURES = ['licensing', 'ban'] as const;
export type RestrictionMeasure = (typeof RESTRICTION_MEASURES)[number];

/** `appliesTo: ["*"]`: the measure applies to every destination but the imposing country itself. */
export const EVERY_DESTINATION = '*';

export type ExportRestricted = DomainEvent<
  'ExportRestricted',
  {
    restrictionId: string;
    imposedBy: string;
    materials: string[];
    measure: RestrictionMeasure;
    /** importing countries, or exactly `["*"]` */
    appliesTo: string[];
    /** `YYYY-MM-DD` */
    announcedOn: string;
    /** the first day the measure applies (`YYYY-MM-DD`) */
    effectiveFrom: string;
    legalReference: string;
  }
>;

export type ExportRestrictionLifted = DomainEvent<
  'ExportRestrictionLifted',
  {
    /** the first day the measure no longer applies (`YYYY-MM-DD`) */
    effectiveFrom: string;
  }
>;

export type ExportRestrictionEvent = ExportRestricted | ExportRestrictionLifted;

export const EXPORT_RESTRICTION_EVENT_TYPES: readonly ExportRestrictionEvent['type'][] = [
  'ExportRestricted',
  'ExportRestrictionLifted',
];
