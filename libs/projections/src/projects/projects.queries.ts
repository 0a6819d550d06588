import { type Commitment, gramsToKilograms, peakCommitment } from '@ledger/domain';
import { type Bitemporal, bitemporalCondition, knownAtCondition } from '../bitemporal';
import { decodeCursor, encodeCursor, type Page, type PageRequest } from '../cursor';
import { type SqlReader, type SqlValue, toBigInt } from '../sql/sql.port';

export interface ProjectSummary {
  projectId: string;
  name: string;
  operator: string;
  country: string;
  /** the stage on the asOf day, as known at the cut */
  stage: string;
  materials: string[];
}

export interface Financing {
  financingId: string;
  financier: string;
  financierCountry: string;
  instrument: string;
  amount: { amount: string; currency: string };
}

export interface OfftakeView {
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
}

/** The offtake book of one material (DOMAIN.md): capacity, committed on D, peak commitment, headroom. */
export interface OfftakeBookEntry {
  material: string;
  annualCapacity: string | null;
  /** annual volumes of the offtakes in force on the asOf day */
  committed: string;
  /** capacity minus what is committed on the asOf day */
  remaining: string | null;
  /** the highest total of annual volumes in force on any one day of the book's whole span */
  peakCommitment: string;
  /** capacity minus the peak commitment: what could still be signed for every day */
  headroom: string | null;
}

export interface ProjectView extends ProjectSummary {
  capacity: { material: string; annualCapacity: string }[];
  financings: Financing[];
  offtakes: OfftakeView[];
  offtakeBook: OfftakeBookEntry[];
}

interface ProjectRecord {
  project_id: string;
  name: string;
  operator: string;
  country: string;
  materials: string;
  stage: string;
  stage_on: string;
}

/** The stage of project `p` on the asOf day: its latest change inside the cut, else its registered stage. */
function stageOn(cut: Bitemporal): { sql: string; params: SqlValue[] } {
  const within = bitemporalCondition(cut, 'c');
  return {
    sql: `COALESCE((SELECT c.to_stage FROM project_stage_changes c
                     WHERE c.project_id = p.project_id AND ${within.sql}
                     ORDER BY c.position DESC LIMIT 1), p.stage)`,
    params: within.params,
  };
}

const summaryOf = (row: ProjectRecord): ProjectSummary => ({
  projectId: row.project_id,
  name: row.name,
  operator: row.operator,
  country: row.country,
  stage: row.stage_on,
  materials: JSON.parse(row.materials) as string[],
});

export interface ProjectFilter {
  country?: string;
  material?: string;
  stage?: string;
  operator?: string;
  /** a buyer's name or country: projects with an offtake to it inside the cut */
  buyer?: string;
}

/** GET /projects: projects registered inside the cut, in id order, filtered. */
export async function listProjects(
  db: SqlReader,
  filter: ProjectFilter,
  cut: Bitemporal,
  page: PageRequest,
): Promise<Page<ProjectSummary>> {
  const registered = bitemporalCondition(cut, 'p');
  const stage = stageOn(cut);
  const clauses = [registered.sql];
  const params: SqlValue[] = [...stage.params, ...registered.params];
  if (filter.country !== undefined) {
    clauses.push('p.country = ?');
    params.push(filter.country);
  }
  if (filter.operator !== undefined) {
    clauses.push('p.operator = ?');
    params.push(filter.operator);
  }
  if (filter.material !== undefined) {
    clauses.push(
      'EXISTS (SELECT 1 FROM project_materials m WHERE m.project_id = p.project_id AND m.material = ?)',
    );
    params.push(filter.material);
  }
  if (filter.buyer !== undefined) {
    const signed = bitemporalCondition(cut, 'o');
    clauses.push(
      `EXISTS (SELECT 1 FROM offtakes o WHERE o.project_id = p.project_id AND (o.buyer = ? OR o.buyer_country = ?)
                  AND ${signed.sql})`,
    );
    params.push(filter.buyer, filter.buyer, ...signed.params);
  }
  if (page.cursor !== undefined) {
    clauses.push('p.project_id > ?');
    params.push(decodeCursor(page.cursor, 1)[0]!);
  }
  const stageClause = filter.stage === undefined ? '' : 'WHERE stage_on = ?';
  const rows = await db.all<ProjectRecord>(
    `SELECT * FROM (
       SELECT p.project_id, p.name, p.operator, p.country, p.materials, p.stage, ${stage.sql} AS stage_on
         FROM projects p WHERE ${clauses.join(' AND ')}) listed
     ${stageClause} ORDER BY project_id LIMIT ?`,
    [...params, ...(filter.stage === undefined ? [] : [filter.stage]), page.limit + 1],
  );
  const items = rows.slice(0, page.limit).map(summaryOf);
  return {
    items,
    nextCursor: rows.length > page.limit ? encodeCursor([items[items.length - 1]!.projectId]) : null,
  };
}

interface OfftakeRecord {
  offtake_id: string;
  buyer: string;
  buyer_country: string;
  material: string;
  grams: unknown;
  starts_on: string;
  ends_on: string;
}

/** The offtakes of a project that count at the cut: signed and effective by asOf, known at knownAt. */
async function offtakesOf(db: SqlReader, projectId: string, cut: Bitemporal) {
  const signed = bitemporalCondition(cut);
  const rows = await db.all<OfftakeRecord>(
    `SELECT offtake_id, buyer, buyer_country, material, grams, starts_on, ends_on FROM offtakes
      WHERE project_id = ? AND ${signed.sql} ORDER BY starts_on, offtake_id`,
    [projectId, ...signed.params],
  );
  const known = knownAtCondition(cut);
  const terminations = new Map(
    (
      await db.all<{ offtake_id: string; effective_on: string }>(
        `SELECT offtake_id, MIN(effective_on) AS effective_on FROM offtake_terminations
          WHERE project_id = ? AND ${known.sql} GROUP BY offtake_id`,
        [projectId, ...known.params],
      )
    ).map((row) => [row.offtake_id, row.effective_on]),
  );
  const day = cut.asOf.slice(0, 10);
  const delivered = new Map(
    (
      await db.all<{ offtake_id: string; grams: unknown }>(
        `SELECT offtake_id, ${db.dialect.sum('grams')} AS grams FROM offtake_deliveries
          WHERE project_id = ? AND delivered_on <= ? AND ${known.sql} GROUP BY offtake_id`,
        [projectId, day, ...known.params],
      )
    ).map((row) => [row.offtake_id, toBigInt(row.grams)]),
  );
  return rows.map((row) => {
    const terminatedOn = terminations.get(row.offtake_id) ?? null;
    const grams = toBigInt(row.grams);
    return {
      grams,
      commitment: {
        from: row.starts_on,
        until: terminatedOn !== null && terminatedOn < row.ends_on ? terminatedOn : row.ends_on,
        grams,
      } satisfies Commitment,
      view: {
        offtakeId: row.offtake_id,
        buyer: row.buyer,
        buyerCountry: row.buyer_country,
        material: row.material,
        annualVolume: gramsToKilograms(grams),
        startsOn: row.starts_on,
        endsOn: row.ends_on,
        terminatedOn,
        delivered: gramsToKilograms(delivered.get(row.offtake_id) ?? 0n),
        inForce: row.starts_on <= day && day < row.ends_on && (terminatedOn === null || terminatedOn > day),
      } satisfies OfftakeView,
    };
  });
}

/** The declared capacity per material inside the cut: the latest declaration of each replaces the earlier. */
async function capacitiesOf(db: SqlReader, projectId: string, cut: Bitemporal): Promise<Map<string, bigint>> {
  const within = bitemporalCondition(cut);
  const rows = await db.all<{ material: string; grams: unknown }>(
    `SELECT material, grams FROM project_capacities WHERE project_id = ? AND ${within.sql} ORDER BY position`,
    [projectId, ...within.params],
  );
  const capacities = new Map<string, bigint>();
  for (const row of rows) capacities.set(row.material, toBigInt(row.grams));
  return new Map([...capacities].sort(([a], [b]) => (a < b ? -1 : 1)));
}

async function projectRecord(db: SqlReader, projectId: string, cut: Bitemporal) {
  const registered = bitemporalCondition(cut, 'p');
  const stage = stageOn(cut);
  return db.get<ProjectRecord>(
    `SELECT p.project_id, p.name, p.operator, p.country, p.materials, p.stage, ${stage.sql} AS stage_on
       FROM projects p WHERE p.project_id = ? AND ${registered.sql}`,
    [...stage.params, projectId, ...registered.params],
  );
}

function offtakeBook(
  capacities: Map<string, bigint>,
  offtakes: Awaited<ReturnType<typeof offtakesOf>>,
  material?: string,
): OfftakeBookEntry[] {
  const materials = [...new Set([...capacities.keys(), ...offtakes.map((o) => o.view.material)])]
    .filter((candidate) => material === undefined || candidate === material)
    .sort();
  return materials.map((bookMaterial) => {
    const capacity = capacities.get(bookMaterial);
    const book = offtakes.filter((offtake) => offtake.view.material === bookMaterial);
    const committed = book.filter((o) => o.view.inForce).reduce((sum, o) => sum + o.grams, 0n);
    const peak = peakCommitment(book.map((o) => o.commitment));
    return {
      material: bookMaterial,
      annualCapacity: capacity === undefined ? null : gramsToKilograms(capacity),
      committed: gramsToKilograms(committed),
      remaining: capacity === undefined ? null : gramsToKilograms(capacity - committed),
      peakCommitment: gramsToKilograms(peak),
      headroom: capacity === undefined ? null : gramsToKilograms(capacity - peak),
    };
  });
}

/** GET /projects/{id}: the project as of a date, as known at a time; undefined when not (yet) registered. */
export async function queryProject(
  db: SqlReader,
  projectId: string,
  cut: Bitemporal,
): Promise<ProjectView | undefined> {
  const project = await projectRecord(db, projectId, cut);
  if (!project) return undefined;
  const within = bitemporalCondition(cut);
  const [capacities, offtakes, financings] = await Promise.all([
    capacitiesOf(db, projectId, cut),
    offtakesOf(db, projectId, cut),
    db.all<{
      financing_id: string;
      financier: string;
      financier_country: string;
      instrument: string;
      amount: string;
      currency: string;
    }>(
      `SELECT financing_id, financier, financier_country, instrument, amount, currency FROM project_financings
        WHERE project_id = ? AND ${within.sql} ORDER BY position`,
      [projectId, ...within.params],
    ),
  ]);
  return {
    ...summaryOf(project),
    capacity: [...capacities].map(([material, grams]) => ({
      material,
      annualCapacity: gramsToKilograms(grams),
    })),
    financings: financings.map((f) => ({
      financingId: f.financing_id,
      financier: f.financier,
      financierCountry: f.financier_country,
      instrument: f.instrument,
      amount: { amount: f.amount, currency: f.currency },
    })),
    offtakes: offtakes.map((offtake) => offtake.view),
    offtakeBook: offtakeBook(capacities, offtakes),
  };
}

/** GET /projects/{id}/offtake-book: the book per material (or of one), as of a date, as known at a time. */
export async function queryOfftakeBook(
  db: SqlReader,
  projectId: string,
  material: string | undefined,
  cut: Bitemporal,
): Promise<{ projectId: string; asOf: string; materials: OfftakeBookEntry[] } | undefined> {
  const project = await projectRecord(db, projectId, cut);
  if (!project) return undefined;
  const [capacities, offtakes] = await Promise.all([
    capacitiesOf(db, projectId, cut),
    offtakesOf(db, projectId, cut),
  ]);
  return { projectId, asOf: cut.asOf, materials: offtakeBook(capacities, offtakes, material) };
}

/**
 * The annual volumes a buyer country's offtakes of a material commit on day D (signed by D, in their term,
 * not terminated by D), with each project's country: what exposure counts as offtake coverage.
 */
export async function offtakesInForceFor(
  db: SqlReader,
  buyerCountry: string,
  material: string,
  cut: Bitemporal,
): Promise<{ grams: bigint; projectCountry: string }[]> {
  const day = cut.asOf.slice(0, 10);
  const signed = bitemporalCondition(cut, 'o');
  const registered = knownAtCondition(cut, 'p');
  const terminated = knownAtCondition(cut, 't');
  const rows = await db.all<{ grams: unknown; project_country: string }>(
    `SELECT o.grams AS grams, p.country AS project_country
       FROM offtakes o JOIN projects p ON p.project_id = o.project_id
      WHERE o.buyer_country = ? AND o.material = ? AND o.starts_on <= ? AND ? < o.ends_on
        AND ${signed.sql} AND ${registered.sql}
        AND NOT EXISTS (SELECT 1 FROM offtake_terminations t
                         WHERE t.project_id = o.project_id AND t.offtake_id = o.offtake_id
                           AND t.effective_on <= ? AND ${terminated.sql})`,
    [buyerCountry, material, day, day, ...signed.params, ...registered.params, day, ...terminated.params],
  );
  return rows.map((row) => ({ grams: toBigInt(row.grams), projectCountry: row.project_country }));
}

/** Materials a country buys under offtakes known at the cut. */
export async function offtakeMaterialsOf(
  db: SqlReader,
  buyerCountry: string,
  cut: Bitemporal,
): Promise<string[]> {
  const known = knownAtCondition(cut);
  const rows = await db.all<{ material: string }>(
    `SELECT DISTINCT material FROM offtakes WHERE buyer_country = ? AND ${known.sql}`,
    [buyerCountry, ...known.params],
  );
  return rows.map((row) => row.material);
}
