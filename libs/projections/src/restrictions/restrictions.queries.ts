import type { SqliteDatabase } from '@ledger/event-store';
import { type Bitemporal, knownAtWhere } from '../bitemporal';

export interface ActiveRestriction {
  restrictionId: string;
  imposedBy: string;
  measure: string;
  materials: string[];
  appliesTo: string[];
  announcedOn: string;
  effectiveFrom: string;
  liftedFrom: string | null;
  legalReference: string;
}

export interface RestrictionFilter {
  /** the day D */
  activeOn: string;
  material?: string;
  importer?: string;
}

interface RestrictionRow {
  restriction_id: string;
  imposed_by: string;
  measure: string;
  materials: string;
  applies_to: string;
  announced_on: string;
  effective_from: string;
  legal_reference: string;
  lifted_from: string | null;
}

/**
 * The measures active on day D (DOMAIN.md): effectiveFrom ≤ D, not lifted on or before D, M among its
 * materials, C or `*` among appliesTo, C ≠ imposedBy. A lift not yet known at `knownAt` does not count.
 */
export function queryActiveRestrictions(
  db: SqliteDatabase,
  filter: RestrictionFilter,
  cut: Bitemporal,
): ActiveRestriction[] {
  const restriction = knownAtWhere(cut, 'r');
  const lift = knownAtWhere(cut, 'l');
  const clauses = ['r.effective_from <= @day', restriction.sql];
  const params: Record<string, unknown> = { ...restriction.params, ...lift.params, day: filter.activeOn };
  if (filter.material !== undefined) {
    clauses.push('s.material = @material');
    params.material = filter.material;
  }
  if (filter.importer !== undefined) {
    clauses.push(`s.destination IN (@importer, '*') AND r.imposed_by <> @importer`);
    params.importer = filter.importer;
  }
  const rows = db
    .prepare(
      `SELECT DISTINCT r.restriction_id, r.imposed_by, r.measure, r.materials, r.applies_to, r.announced_on,
              r.effective_from, r.legal_reference,
              (SELECT l.lifted_from FROM export_restriction_lifts_v1 l
                WHERE l.restriction_id = r.restriction_id AND ${lift.sql}) AS lifted_from
         FROM export_restrictions_v1 r
         JOIN export_restriction_scope_v1 s ON s.restriction_id = r.restriction_id
        WHERE ${clauses.join(' AND ')}
          AND NOT EXISTS (SELECT 1 FROM export_restriction_lifts_v1 l
                           WHERE l.restriction_id = r.restriction_id AND l.lifted_from <= @day AND ${lift.sql})
        ORDER BY r.effective_from, r.restriction_id`,
    )
    .all(params) as RestrictionRow[];
  return rows.map((row) => ({
    restrictionId: row.restriction_id,
    imposedBy: row.imposed_by,
    measure: row.measure,
    materials: JSON.parse(row.materials) as string[],
    appliesTo: JSON.parse(row.applies_to) as string[],
    announcedOn: row.announced_on,
    effectiveFrom: row.effective_from,
    liftedFrom: row.lifted_from,
    legalReference: row.legal_reference,
  }));
}
