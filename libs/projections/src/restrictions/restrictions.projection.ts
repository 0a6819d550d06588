import type { ExportRestrictionEvent } from '@ledger/domain';
import type { RecordedEvent, SqliteDatabase } from '@ledger/event-store';
import { type FactTimes, factTimes, type SqliteReadModel } from '../projection';

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

const idOf = (streamId: string): string => streamId.slice(streamId.indexOf('-') + 1);

export function projectRestrictions(event: RecordedEvent): RestrictionChange[] {
  if (!event.streamId.startsWith('exportRestriction-')) return [];
  const known = event as unknown as ExportRestrictionEvent;
  switch (known.type) {
    case 'ExportRestricted':
      return [{ kind: 'imposed', ...factTimes(event), ...known.data }];
    case 'ExportRestrictionLifted':
      return [
        {
          kind: 'lifted',
          ...factTimes(event),
          restrictionId: idOf(event.streamId),
          liftedFrom: known.data.effectiveFrom,
        },
      ];
    default:
      return [];
  }
}

/**
 * The restriction timeline: one row per measure, one per (measure, material, destination) so that "active
 * for importer C and material M" is an indexed join, and one row per lift.
 */
export const restrictionsReadModel: SqliteReadModel<RestrictionChange> = {
  name: 'restrictions_v1',
  tables: ['export_restrictions_v1', 'export_restriction_scope_v1', 'export_restriction_lifts_v1'],
  project: projectRestrictions,
  createTables(db: SqliteDatabase, prefix = '') {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${prefix}export_restrictions_v1 (
        restriction_id  TEXT PRIMARY KEY,
        imposed_by      TEXT    NOT NULL,
        measure         TEXT    NOT NULL,
        materials       TEXT    NOT NULL,
        applies_to      TEXT    NOT NULL,
        announced_on    TEXT    NOT NULL,
        effective_from  TEXT    NOT NULL,
        legal_reference TEXT    NOT NULL,
        effective_at    TEXT    NOT NULL,
        recorded_at     TEXT    NOT NULL,
        position        INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS ${prefix}export_restriction_scope_v1 (
        restriction_id TEXT NOT NULL,
        material       TEXT NOT NULL,
        destination    TEXT NOT NULL,
        PRIMARY KEY (material, destination, restriction_id)
      );
      CREATE TABLE IF NOT EXISTS ${prefix}export_restriction_lifts_v1 (
        restriction_id TEXT PRIMARY KEY,
        lifted_from    TEXT    NOT NULL,
        effective_at   TEXT    NOT NULL,
        recorded_at    TEXT    NOT NULL,
        position       INTEGER NOT NULL
      );
    `);
  },
  writer(db: SqliteDatabase, prefix = '') {
    const imposed = db.prepare(
      `INSERT OR REPLACE INTO ${prefix}export_restrictions_v1
         (restriction_id, imposed_by, measure, materials, applies_to, announced_on, effective_from, legal_reference,
          effective_at, recorded_at, position)
       VALUES (@restrictionId, @imposedBy, @measure, @materials, @appliesTo, @announcedOn, @effectiveFrom, @legalReference,
               @effectiveAt, @recordedAt, @position)`,
    );
    const scope = db.prepare(
      `INSERT OR IGNORE INTO ${prefix}export_restriction_scope_v1 (restriction_id, material, destination) VALUES (?, ?, ?)`,
    );
    const lifted = db.prepare(
      `INSERT OR REPLACE INTO ${prefix}export_restriction_lifts_v1 (restriction_id, lifted_from, effective_at, recorded_at, position)
       VALUES (@restrictionId, @liftedFrom, @effectiveAt, @recordedAt, @position)`,
    );
    return (changes) => {
      for (const change of changes) {
        if (change.kind === 'lifted') {
          const { kind: _kind, ...row } = change;
          lifted.run(row);
          continue;
        }
        const { kind: _kind, ...row } = change;
        imposed.run({
          ...row,
          materials: JSON.stringify(row.materials),
          appliesTo: JSON.stringify(row.appliesTo),
        });
        for (const material of row.materials) {
          for (const destination of row.appliesTo) scope.run(row.restrictionId, material, destination);
        }
      }
    };
  },
};
