import { gramsToKilograms } from '@ledger/domain';
import type { SqliteDatabase } from '@ledger/event-store';
import { type Bitemporal, bitemporalWhere, knownAtWhere } from '../bitemporal';

export interface ProjectView {
  projectId: string;
  name: string;
  operator: string;
  country: string;
  materials: string[];
  stage: string;
  capacity: { material: string; annualCapacity: string }[];
  financings: {
    financingId: string;
    financier: string;
    financierCountry: string;
    instrument: string;
    amount: { amount: string; currency: string };
  }[];
  offtakes: {
    offtakeId: string;
    buyer: string;
    buyerCountry: string;
    material: string;
    annualVolume: string;
    startsOn: string;
    endsOn: string;
    terminatedOn: string | null;
    delivered: string;
    inForce: boolean;
  }[];
  /** per material: declared capacity, volumes in force on the asOf day, and what remains */
  offtakeBook: {
    material: string;
    annualCapacity: string | null;
    committed: string;
    remaining: string | null;
  }[];
}

/** The project as of a date, as known at a time; undefined when it was not registered (or not yet known). */
export function queryProject(
  db: SqliteDatabase,
  projectId: string,
  cut: Bitemporal,
): ProjectView | undefined {
  const facts = bitemporalWhere(cut);
  const params = { ...facts.params, projectId };
  const project = db
    .prepare(
      `SELECT name, operator, country, materials, stage FROM projects_v1 WHERE project_id = @projectId AND ${facts.sql}`,
    )
    .get(params) as
    { name: string; operator: string; country: string; materials: string; stage: string } | undefined;
  if (!project) return undefined;
  const day = cut.asOf.slice(0, 10);

  const stage =
    (db
      .prepare(
        `SELECT to_stage FROM project_stage_changes_v1 WHERE project_id = @projectId AND ${facts.sql}
          ORDER BY position DESC LIMIT 1`,
      )
      .pluck()
      .get(params) as string | undefined) ?? project.stage;

  const capacities = db
    .prepare(
      `SELECT material, grams FROM project_capacities_v1 c
        WHERE project_id = @projectId AND ${facts.sql}
          AND position = (SELECT MAX(position) FROM project_capacities_v1 d
                           WHERE d.project_id = c.project_id AND d.material = c.material AND ${bitemporalWhere(cut, 'd').sql})
        ORDER BY material`,
    )
    .safeIntegers(true)
    .all(params) as { material: string; grams: bigint }[];

  const financings = db
    .prepare(
      `SELECT financing_id, financier, financier_country, instrument, amount, currency FROM project_financings_v1
        WHERE project_id = @projectId AND ${facts.sql} ORDER BY position`,
    )
    .all(params) as {
    financing_id: string;
    financier: string;
    financier_country: string;
    instrument: string;
    amount: string;
    currency: string;
  }[];

  const termination = knownAtWhere(cut, 't');
  // An offtake is in the book once signed (its effective time); deliveries and terminations count from their
  // own dates (deliveredOn, effectiveOn) once the ledger knows them. The exposure report uses the same rules.
  const delivery = knownAtWhere(cut, 'v');
  const offtakeKnown = bitemporalWhere(cut, 'o');
  const offtakes = db
    .prepare(
      `SELECT o.offtake_id, o.buyer, o.buyer_country, o.material, o.grams, o.starts_on, o.ends_on,
              (SELECT MIN(t.effective_on) FROM offtake_terminations_v1 t
                WHERE t.project_id = o.project_id AND t.offtake_id = o.offtake_id AND ${termination.sql}) AS terminated_on,
              (SELECT COALESCE(SUM(v.grams), 0) FROM offtake_deliveries_v1 v
                WHERE v.project_id = o.project_id AND v.offtake_id = o.offtake_id AND v.delivered_on <= @day AND ${delivery.sql}) AS delivered
         FROM offtakes_v1 o
        WHERE o.project_id = @projectId AND ${offtakeKnown.sql}
        ORDER BY o.starts_on, o.offtake_id`,
    )
    .safeIntegers(true)
    .all({ ...params, ...termination.params, day }) as {
    offtake_id: string;
    buyer: string;
    buyer_country: string;
    material: string;
    grams: bigint;
    starts_on: string;
    ends_on: string;
    terminated_on: string | null;
    delivered: bigint;
  }[];

  const offtakeViews = offtakes.map((row) => ({
    offtakeId: row.offtake_id,
    buyer: row.buyer,
    buyerCountry: row.buyer_country,
    material: row.material,
    annualVolume: gramsToKilograms(row.grams),
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    terminatedOn: row.terminated_on,
    delivered: gramsToKilograms(row.delivered),
    inForce:
      row.starts_on <= day && day < row.ends_on && (row.terminated_on === null || row.terminated_on > day),
    grams: row.grams,
  }));
  const materials = [
    ...new Set([...capacities.map((c) => c.material), ...offtakes.map((o) => o.material)]),
  ].sort();
  const offtakeBook = materials.map((material) => {
    const capacity = capacities.find((c) => c.material === material)?.grams;
    const committed = offtakeViews
      .filter((offtake) => offtake.material === material && offtake.inForce)
      .reduce((sum, offtake) => sum + offtake.grams, 0n);
    return {
      material,
      annualCapacity: capacity === undefined ? null : gramsToKilograms(capacity),
      committed: gramsToKilograms(committed),
      remaining: capacity === undefined ? null : gramsToKilograms(capacity - committed),
    };
  });

  return {
    projectId,
    name: project.name,
    operator: project.operator,
    country: project.country,
    materials: JSON.parse(project.materials) as string[],
    stage,
    capacity: capacities.map((c) => ({ material: c.material, annualCapacity: gramsToKilograms(c.grams) })),
    financings: financings.map((f) => ({
      financingId: f.financing_id,
      financier: f.financier,
      financierCountry: f.financier_country,
      instrument: f.instrument,
      amount: { amount: f.amount, currency: f.currency },
    })),
    offtakes: offtakeViews.map(({ grams: _grams, ...view }) => view),
    offtakeBook,
  };
}
