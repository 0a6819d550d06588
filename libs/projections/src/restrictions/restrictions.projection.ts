import {
  EXPORT_RESTRICTION_EVENT_TYPES,
  EXPORT_RESTRICTION_STREAMS,
  type ExportRestrictionEvent,
} from '@ledger/domain';
import { type FactTimes, factTimes, type Projected, type ReadModel, TIMES_COLUMNS } from '../read-model';

export type RestrictionChange =
  | ({
      kind: 'imposed';
      restrictionId: string;
      imposedBy: string;
      measure: string;
      materials: string[];
      appliesTo: string[];
      announcedOn: string;
      effectiveFrom: string;
      legalReference: string;
    } & FactTimes)
  | ({ kind: 'lifted'; restrictionId: string; liftedFrom: string } & FactTimes);

export function projectRestrictions(event: Projected<ExportRestrictionEvent>): RestrictionChange[] {
  switch (event.type) {
    case 'ExportRestricted':
      return [{ kind: 'imposed', ...factTimes(event), ...event.data, restrictionId: event.entityId }];
    case 'ExportRestrictionLifted':
      return [
        {
          kind: 'lifted',
          ...factTimes(event),
          restrictionId: event.entityId,
          liftedFrom: event.data.effectiveFrom,
        },
      ];
  }
}

/**
 * The measures, one row per (measure, material, destination) so that the candidates for an importer and a
 * material are an indexed lookup, and one row per lift. Whether a candidate applies on a day is decided by
 * the domain's `isRestrictionActive`, never restated in SQL.
 */
export const restrictionsReadModel: ReadModel<ExportRestrictionEvent, RestrictionChange> = {
  name: 'restrictions_v2',
  category: EXPORT_RESTRICTION_STREAMS,
  handles: EXPORT_RESTRICTION_EVENT_TYPES,
  tables: [
    {
      name: 'export_restrictions',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           restriction_id TEXT PRIMARY KEY, imposed_by TEXT NOT NULL, measure TEXT NOT NULL,
           materials TEXT NOT NULL, applies_to TEXT NOT NULL, announced_on TEXT NOT NULL,
           effective_from TEXT NOT NULL, legal_reference TEXT NOT NULL, ${TIMES_COLUMNS(d)})`,
      ],
    },
    {
      name: 'export_restriction_scope',
      ddl: (table) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           restriction_id TEXT NOT NULL, material TEXT NOT NULL, destination TEXT NOT NULL,
           PRIMARY KEY (material, destination, restriction_id))`,
      ],
    },
    {
      name: 'export_restriction_lifts',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           restriction_id TEXT PRIMARY KEY, lifted_from TEXT NOT NULL, ${TIMES_COLUMNS(d)})`,
      ],
    },
  ],
  project: projectRestrictions,
  write(changes, tables) {
    const imposed = changes.filter((change) => change.kind === 'imposed');
    const lifted = changes.filter((change) => change.kind === 'lifted');
    return [
      {
        sql: `INSERT INTO ${tables('export_restrictions')}
                (restriction_id, imposed_by, measure, materials, applies_to, announced_on, effective_from,
                 legal_reference, position, effective_at, recorded_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (restriction_id) DO NOTHING`,
        rows: imposed.map((r) => [
          r.restrictionId,
          r.imposedBy,
          r.measure,
          JSON.stringify(r.materials),
          JSON.stringify(r.appliesTo),
          r.announcedOn,
          r.effectiveFrom,
          r.legalReference,
          r.position,
          r.effectiveAt,
          r.recordedAt,
        ]),
      },
      {
        sql: `INSERT INTO ${tables('export_restriction_scope')} (restriction_id, material, destination)
              VALUES (?, ?, ?) ON CONFLICT (material, destination, restriction_id) DO NOTHING`,
        rows: imposed.flatMap((r) =>
          r.materials.flatMap((material) =>
            r.appliesTo.map((destination) => [r.restrictionId, material, destination]),
          ),
        ),
      },
      {
        sql: `INSERT INTO ${tables('export_restriction_lifts')}
                (restriction_id, lifted_from, position, effective_at, recorded_at)
              VALUES (?, ?, ?, ?, ?) ON CONFLICT (restriction_id) DO NOTHING`,
        rows: lifted.map((l) => [l.restrictionId, l.liftedFrom, l.position, l.effectiveAt, l.recordedAt]),
      },
    ];
  },
};
