import { Quantity, type ProjectEvent } from '@ledger/domain';
import type { RecordedEvent, SqliteDatabase } from '@ledger/event-store';
import { type FactTimes, factTimes, type SqliteReadModel } from '../projection';

/** One fact about a project, each kind in its own table; every row keeps both times. */
export type ProjectChange = FactTimes & { projectId: string } & (
    | {
        kind: 'registered';
        name: string;
        operator: string;
        country: string;
        materials: string[];
        stage: string;
      }
    | { kind: 'stage'; from: string; to: string }
    | { kind: 'capacity'; material: string; grams: bigint }
    | {
        kind: 'financing';
        financingId: string;
        financier: string;
        financierCountry: string;
        instrument: string;
        amount: string;
        currency: string;
      }
    | {
        kind: 'offtake';
        offtakeId: string;
        buyer: string;
        buyerCountry: string;
        material: string;
        grams: bigint;
        startsOn: string;
        endsOn: string;
      }
    | { kind: 'delivery'; offtakeId: string; grams: bigint; deliveredOn: string }
    | { kind: 'termination'; offtakeId: string; reason: string; effectiveOn: string }
  );

export function projectProjects(event: RecordedEvent): ProjectChange[] {
  if (!event.streamId.startsWith('project-')) return [];
  const base = { ...factTimes(event), projectId: event.streamId.slice('project-'.length) };
  const known = event as unknown as ProjectEvent;
  switch (known.type) {
    case 'ProjectRegistered': {
      const { name, operator, country, materials, stage } = known.data;
      return [{ ...base, kind: 'registered', name, operator, country, materials, stage }];
    }
    case 'ProjectStageAdvanced':
      return [{ ...base, kind: 'stage', from: known.data.from, to: known.data.to }];
    case 'CapacityDeclared':
      return [
        {
          ...base,
          kind: 'capacity',
          material: known.data.material,
          grams: Quantity.parse(known.data.annualCapacity).grams,
        },
      ];
    case 'ProjectFinanced': {
      const { financingId, financier, financierCountry, instrument, amount } = known.data;
      return [
        {
          ...base,
          kind: 'financing',
          financingId,
          financier,
          financierCountry,
          instrument,
          amount: amount.amount,
          currency: amount.currency,
        },
      ];
    }
    case 'OfftakeSigned': {
      const { offtakeId, buyer, buyerCountry, material, annualVolume, startsOn, endsOn } = known.data;
      return [
        {
          ...base,
          kind: 'offtake',
          offtakeId,
          buyer,
          buyerCountry,
          material,
          grams: Quantity.parse(annualVolume).grams,
          startsOn,
          endsOn,
        },
      ];
    }
    case 'OfftakeDeliveryRecorded':
      return [
        {
          ...base,
          kind: 'delivery',
          offtakeId: known.data.offtakeId,
          grams: Quantity.parse(known.data.quantity).grams,
          deliveredOn: known.data.deliveredOn,
        },
      ];
    case 'OfftakeTerminated':
      return [
        {
          ...base,
          kind: 'termination',
          offtakeId: known.data.offtakeId,
          reason: known.data.reason,
          effectiveOn: known.data.effectiveOn,
        },
      ];
    default:
      return [];
  }
}

const TIMES = `effective_at TEXT NOT NULL, recorded_at TEXT NOT NULL, position INTEGER NOT NULL`;

export const projectsReadModel: SqliteReadModel<ProjectChange> = {
  name: 'projects_v1',
  tables: [
    'projects_v1',
    'project_stage_changes_v1',
    'project_capacities_v1',
    'project_financings_v1',
    'offtakes_v1',
    'offtake_terminations_v1',
    'offtake_deliveries_v1',
  ],
  project: projectProjects,
  createTables(db: SqliteDatabase, prefix = '') {
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${prefix}projects_v1 (
        project_id TEXT PRIMARY KEY, name TEXT NOT NULL, operator TEXT NOT NULL, country TEXT NOT NULL,
        materials TEXT NOT NULL, stage TEXT NOT NULL, ${TIMES});
      CREATE TABLE IF NOT EXISTS ${prefix}project_stage_changes_v1 (
        position INTEGER PRIMARY KEY, project_id TEXT NOT NULL, from_stage TEXT NOT NULL, to_stage TEXT NOT NULL,
        effective_at TEXT NOT NULL, recorded_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS ${prefix}project_stage_changes_v1_by_project ON ${prefix}project_stage_changes_v1 (project_id);
      CREATE TABLE IF NOT EXISTS ${prefix}project_capacities_v1 (
        position INTEGER PRIMARY KEY, project_id TEXT NOT NULL, material TEXT NOT NULL, grams INTEGER NOT NULL,
        effective_at TEXT NOT NULL, recorded_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS ${prefix}project_capacities_v1_by_project ON ${prefix}project_capacities_v1 (project_id, material);
      CREATE TABLE IF NOT EXISTS ${prefix}project_financings_v1 (
        position INTEGER PRIMARY KEY, project_id TEXT NOT NULL, financing_id TEXT NOT NULL, financier TEXT NOT NULL,
        financier_country TEXT NOT NULL, instrument TEXT NOT NULL, amount TEXT NOT NULL, currency TEXT NOT NULL,
        effective_at TEXT NOT NULL, recorded_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS ${prefix}project_financings_v1_by_project ON ${prefix}project_financings_v1 (project_id);
      CREATE TABLE IF NOT EXISTS ${prefix}offtakes_v1 (
        position INTEGER PRIMARY KEY, project_id TEXT NOT NULL, offtake_id TEXT NOT NULL, buyer TEXT NOT NULL,
        buyer_country TEXT NOT NULL, material TEXT NOT NULL, grams INTEGER NOT NULL, starts_on TEXT NOT NULL,
        ends_on TEXT NOT NULL, effective_at TEXT NOT NULL, recorded_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS ${prefix}offtakes_v1_by_project ON ${prefix}offtakes_v1 (project_id, offtake_id);
      CREATE INDEX IF NOT EXISTS ${prefix}offtakes_v1_by_buyer ON ${prefix}offtakes_v1 (buyer_country, material);
      CREATE TABLE IF NOT EXISTS ${prefix}offtake_terminations_v1 (
        position INTEGER PRIMARY KEY, project_id TEXT NOT NULL, offtake_id TEXT NOT NULL, reason TEXT NOT NULL,
        effective_on TEXT NOT NULL, effective_at TEXT NOT NULL, recorded_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS ${prefix}offtake_terminations_v1_by_offtake ON ${prefix}offtake_terminations_v1 (project_id, offtake_id);
      CREATE TABLE IF NOT EXISTS ${prefix}offtake_deliveries_v1 (
        position INTEGER PRIMARY KEY, project_id TEXT NOT NULL, offtake_id TEXT NOT NULL, grams INTEGER NOT NULL,
        delivered_on TEXT NOT NULL, effective_at TEXT NOT NULL, recorded_at TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS ${prefix}offtake_deliveries_v1_by_offtake ON ${prefix}offtake_deliveries_v1 (project_id, offtake_id);
    `);
  },
  writer(db: SqliteDatabase, prefix = '') {
    const statements = {
      registered: db.prepare(
        `INSERT OR REPLACE INTO ${prefix}projects_v1 (project_id, name, operator, country, materials, stage, effective_at, recorded_at, position)
         VALUES (@projectId, @name, @operator, @country, @materials, @stage, @effectiveAt, @recordedAt, @position)`,
      ),
      stage: db.prepare(
        `INSERT OR REPLACE INTO ${prefix}project_stage_changes_v1 (position, project_id, from_stage, to_stage, effective_at, recorded_at)
         VALUES (@position, @projectId, @from, @to, @effectiveAt, @recordedAt)`,
      ),
      capacity: db.prepare(
        `INSERT OR REPLACE INTO ${prefix}project_capacities_v1 (position, project_id, material, grams, effective_at, recorded_at)
         VALUES (@position, @projectId, @material, @grams, @effectiveAt, @recordedAt)`,
      ),
      financing: db.prepare(
        `INSERT OR REPLACE INTO ${prefix}project_financings_v1
           (position, project_id, financing_id, financier, financier_country, instrument, amount, currency, effective_at, recorded_at)
         VALUES (@position, @projectId, @financingId, @financier, @financierCountry, @instrument, @amount, @currency, @effectiveAt, @recordedAt)`,
      ),
      offtake: db.prepare(
        `INSERT OR REPLACE INTO ${prefix}offtakes_v1
           (position, project_id, offtake_id, buyer, buyer_country, material, grams, starts_on, ends_on, effective_at, recorded_at)
         VALUES (@position, @projectId, @offtakeId, @buyer, @buyerCountry, @material, @grams, @startsOn, @endsOn, @effectiveAt, @recordedAt)`,
      ),
      delivery: db.prepare(
        `INSERT OR REPLACE INTO ${prefix}offtake_deliveries_v1 (position, project_id, offtake_id, grams, delivered_on, effective_at, recorded_at)
         VALUES (@position, @projectId, @offtakeId, @grams, @deliveredOn, @effectiveAt, @recordedAt)`,
      ),
      termination: db.prepare(
        `INSERT OR REPLACE INTO ${prefix}offtake_terminations_v1 (position, project_id, offtake_id, reason, effective_on, effective_at, recorded_at)
         VALUES (@position, @projectId, @offtakeId, @reason, @effectiveOn, @effectiveAt, @recordedAt)`,
      ),
    };
    return (changes) => {
      for (const { kind, ...row } of changes) {
        statements[kind].run('materials' in row ? { ...row, materials: JSON.stringify(row.materials) } : row);
      }
    };
  },
};
