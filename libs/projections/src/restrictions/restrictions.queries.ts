import {
  EVERY_DESTINATION,
  isRestrictionActive,
  restrictionCovers,
  type RestrictionTerms,
} from '@ledger/domain';
import { type Bitemporal, knownAtCondition, knownBy } from '../bitemporal';
import { type SqlReader, type SqlValue, toBigInt } from '../sql/sql.port';

/** A measure as known at the cut: its terms, and its lift when the lift is known then. */
export interface RestrictionView {
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

interface RestrictionRecord {
  restriction_id: string;
  imposed_by: string;
  measure: string;
  materials: string;
  applies_to: string;
  announced_on: string;
  effective_from: string;
  legal_reference: string;
  position: unknown;
  effective_at: string;
  recorded_at: string;
  lifted_from: string | null;
  lift_position: unknown;
  lift_effective_at: string | null;
  lift_recorded_at: string | null;
}

const termsOf = (view: RestrictionView): RestrictionTerms => ({
  imposedBy: view.imposedBy,
  materials: view.materials,
  appliesTo: view.appliesTo,
  effectiveFrom: view.effectiveFrom,
  ...(view.liftedFrom === null ? {} : { liftedFrom: view.liftedFrom }),
});

/**
 * The measures known at the cut that could concern `importer` and `material` (an indexed lookup of their
 * scope), each with its lift when the lift too is known then.
 */
async function candidates(
  db: SqlReader,
  filter: { importer?: string; material?: string; restrictionId?: string },
  cut: Bitemporal,
): Promise<(RestrictionView & { record: RestrictionRecord })[]> {
  const known = knownAtCondition(cut, 'r');
  const clauses = [known.sql];
  const params: SqlValue[] = [...known.params];
  if (filter.restrictionId !== undefined) {
    clauses.push('r.restriction_id = ?');
    params.push(filter.restrictionId);
  }
  if (filter.material !== undefined || filter.importer !== undefined) {
    const scope = ['s.restriction_id = r.restriction_id'];
    if (filter.material !== undefined) {
      scope.push('s.material = ?');
      params.push(filter.material);
    }
    if (filter.importer !== undefined) {
      scope.push('s.destination IN (?, ?)');
      params.push(filter.importer, EVERY_DESTINATION);
    }
    clauses.push(`EXISTS (SELECT 1 FROM export_restriction_scope s WHERE ${scope.join(' AND ')})`);
  }
  const rows = await db.all<RestrictionRecord>(
    `SELECT r.*, l.lifted_from, l.position AS lift_position, l.effective_at AS lift_effective_at,
            l.recorded_at AS lift_recorded_at
       FROM export_restrictions r LEFT JOIN export_restriction_lifts l ON l.restriction_id = r.restriction_id
      WHERE ${clauses.join(' AND ')}
      ORDER BY r.effective_from, r.restriction_id`,
    params,
  );
  return rows.map((row) => {
    const liftKnown =
      row.lifted_from !== null &&
      knownBy(cut, { position: toBigInt(row.lift_position), recordedAt: row.lift_recorded_at ?? '' });
    return {
      restrictionId: row.restriction_id,
      imposedBy: row.imposed_by,
      measure: row.measure,
      materials: JSON.parse(row.materials) as string[],
      appliesTo: JSON.parse(row.applies_to) as string[],
      announcedOn: row.announced_on,
      effectiveFrom: row.effective_from,
      liftedFrom: liftKnown ? row.lifted_from : null,
      legalReference: row.legal_reference,
      record: row,
    };
  });
}

const withoutRecord = ({ record: _record, ...view }: RestrictionView & { record: RestrictionRecord }) => view;

/** The measures active on day D (DOMAIN.md), as known at the cut. */
export async function queryActiveRestrictions(
  db: SqlReader,
  filter: RestrictionFilter,
  cut: Bitemporal,
): Promise<RestrictionView[]> {
  const found = await candidates(db, filter, cut);
  return found
    .filter((view) => isRestrictionActive(termsOf(view), filter.activeOn, filter.importer, filter.material))
    .map(withoutRecord);
}

export interface RestrictionHistory extends RestrictionView {
  history: {
    event: 'imposed' | 'lifted';
    /** the day it took effect: effectiveFrom of the measure or of its lift */
    from: string;
    effectiveAt: string;
    recordedAt: string;
    position: string;
  }[];
}

/** GET /export-restrictions/{id}: the measure and its history, as known at the cut. */
export async function queryRestriction(
  db: SqlReader,
  restrictionId: string,
  cut: Bitemporal,
): Promise<RestrictionHistory | undefined> {
  const [found] = await candidates(db, { restrictionId }, cut);
  if (!found) return undefined;
  const { record } = found;
  const history: RestrictionHistory['history'] = [
    {
      event: 'imposed',
      from: record.effective_from,
      effectiveAt: record.effective_at,
      recordedAt: record.recorded_at,
      position: toBigInt(record.position).toString(),
    },
  ];
  if (found.liftedFrom !== null) {
    history.push({
      event: 'lifted',
      from: found.liftedFrom,
      effectiveAt: record.lift_effective_at!,
      recordedAt: record.lift_recorded_at!,
      position: toBigInt(record.lift_position).toString(),
    });
  }
  return { ...withoutRecord(found), history };
}

export interface RestrictionPeriod {
  restrictionId: string;
  imposedBy: string;
  measure: string;
  legalReference: string;
  /** the first day the measure applied to (importer, material) */
  from: string;
  /** the first day it no longer applied; null while it still does (as known at the cut) */
  to: string | null;
}

/** The restriction timeline of (importer, material): each measure's period [from, to), in order. */
export async function queryRestrictionTimeline(
  db: SqlReader,
  importer: string,
  material: string,
  cut: Bitemporal,
): Promise<RestrictionPeriod[]> {
  const found = await candidates(db, { importer, material }, cut);
  return (
    found
      .filter((view) => restrictionCovers(termsOf(view), importer, material))
      // lifted on the day it took effect: it never applied, and [d, d) is no period
      .filter((view) => view.liftedFrom === null || view.liftedFrom > view.effectiveFrom)
      .map((view) => ({
        restrictionId: view.restrictionId,
        imposedBy: view.imposedBy,
        measure: view.measure,
        legalReference: view.legalReference,
        from: view.effectiveFrom,
        to: view.liftedFrom,
      }))
  );
}
