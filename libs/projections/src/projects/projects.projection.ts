import {
  PROJECT_EVENT_TYPES,
  PROJECT_STREAMS,
  type ProjectEvent,
  storedGrams,
  storedMinorUnits,
} from '@ledger/domain';
import { type FactTimes, type Projected, type ReadModel, TIMES_COLUMNS } from '../read-model';
import type { SqlValue, Statement } from '../sql/sql.port';

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
        minorUnits: bigint;
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

export function projectProjects(event: Projected<ProjectEvent>): ProjectChange[] {
  // literals, not spreads of a base object: see FactTimes
  const { position, effectiveAt, recordedAt, entityId: projectId } = event;
  switch (event.type) {
    case 'ProjectRegistered': {
      const { name, operator, country, materials, stage } = event.data;
      return [
        {
          position,
          effectiveAt,
          recordedAt,
          projectId,
          kind: 'registered',
          name,
          operator,
          country,
          materials,
          stage,
        },
      ];
    }
    case 'ProjectStageAdvanced':
      return [
        {
          position,
          effectiveAt,
          recordedAt,
          projectId,
          kind: 'stage',
          from: event.data.from,
          to: event.data.to,
        },
      ];
    case 'CapacityDeclared':
      return [
        {
          position,
          effectiveAt,
          recordedAt,
          projectId,
          kind: 'capacity',
          material: event.data.material,
          grams: storedGrams(event.data.annualCapacity, 'annualCapacity'),
        },
      ];
    case 'ProjectFinanced': {
      const { financingId, financier, financierCountry, instrument, amount } = event.data;
      return [
        {
          position,
          effectiveAt,
          recordedAt,
          projectId,
          kind: 'financing',
          financingId,
          financier,
          financierCountry,
          instrument,
          amount: amount.amount,
          currency: amount.currency,
          minorUnits: storedMinorUnits(amount),
        },
      ];
    }
    case 'OfftakeSigned': {
      const { offtakeId, buyer, buyerCountry, material, annualVolume, startsOn, endsOn } = event.data;
      return [
        {
          position,
          effectiveAt,
          recordedAt,
          projectId,
          kind: 'offtake',
          offtakeId,
          buyer,
          buyerCountry,
          material,
          grams: storedGrams(annualVolume, 'annualVolume'),
          startsOn,
          endsOn,
        },
      ];
    }
    case 'OfftakeDeliveryRecorded':
      return [
        {
          position,
          effectiveAt,
          recordedAt,
          projectId,
          kind: 'delivery',
          offtakeId: event.data.offtakeId,
          grams: storedGrams(event.data.quantity),
          deliveredOn: event.data.deliveredOn,
        },
      ];
    case 'OfftakeTerminated':
      return [
        {
          position,
          effectiveAt,
          recordedAt,
          projectId,
          kind: 'termination',
          offtakeId: event.data.offtakeId,
          reason: event.data.reason,
          effectiveOn: event.data.effectiveOn,
        },
      ];
  }
}

type ChangeOf<Kind extends ProjectChange['kind']> = Extract<ProjectChange, { kind: Kind }>;

const times = (change: FactTimes): SqlValue[] => [change.position, change.effectiveAt, change.recordedAt];
const TIMES = 'position, effective_at, recorded_at';

/** One table per kind of fact; a row's key is its event's position, so a replay rewrites the same row. */
export const projectsReadModel: ReadModel<ProjectEvent, ProjectChange> = {
  name: 'projects_v2',
  category: PROJECT_STREAMS,
  handles: PROJECT_EVENT_TYPES,
  tables: [
    {
      name: 'projects',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           project_id TEXT PRIMARY KEY, name TEXT NOT NULL, operator TEXT NOT NULL, country TEXT NOT NULL,
           materials TEXT NOT NULL, stage TEXT NOT NULL, ${TIMES_COLUMNS(d)})`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_country ON ${table} (country, project_id)`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_operator ON ${table} (operator, project_id)`,
      ],
    },
    {
      name: 'project_materials',
      ddl: (table) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           project_id TEXT NOT NULL, material TEXT NOT NULL, PRIMARY KEY (project_id, material))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_material ON ${table} (material, project_id)`,
      ],
    },
    {
      name: 'project_stage_changes',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           project_id TEXT NOT NULL, from_stage TEXT NOT NULL, to_stage TEXT NOT NULL, ${TIMES_COLUMNS(d)},
           PRIMARY KEY (position))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_project ON ${table} (project_id, position)`,
      ],
    },
    {
      name: 'project_capacities',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           project_id TEXT NOT NULL, material TEXT NOT NULL, grams ${d.decimal} NOT NULL, ${TIMES_COLUMNS(d)},
           PRIMARY KEY (position))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_project ON ${table} (project_id, material, position)`,
      ],
    },
    {
      name: 'project_financings',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           project_id TEXT NOT NULL, financing_id TEXT NOT NULL, financier TEXT NOT NULL,
           financier_country TEXT NOT NULL, instrument TEXT NOT NULL, amount TEXT NOT NULL, currency TEXT NOT NULL,
           minor_units ${d.decimal} NOT NULL, ${TIMES_COLUMNS(d)}, PRIMARY KEY (position))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_project ON ${table} (project_id, position)`,
      ],
    },
    {
      name: 'offtakes',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           project_id TEXT NOT NULL, offtake_id TEXT NOT NULL, buyer TEXT NOT NULL, buyer_country TEXT NOT NULL,
           material TEXT NOT NULL, grams ${d.decimal} NOT NULL, starts_on TEXT NOT NULL, ends_on TEXT NOT NULL,
           ${TIMES_COLUMNS(d)}, PRIMARY KEY (position))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_project ON ${table} (project_id, offtake_id)`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_buyer ON ${table} (buyer_country, material, starts_on)`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_buyer_name ON ${table} (buyer, project_id)`,
      ],
    },
    {
      name: 'offtake_terminations',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           project_id TEXT NOT NULL, offtake_id TEXT NOT NULL, reason TEXT NOT NULL, effective_on TEXT NOT NULL,
           ${TIMES_COLUMNS(d)}, PRIMARY KEY (position))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_offtake ON ${table} (project_id, offtake_id)`,
      ],
    },
    {
      name: 'offtake_deliveries',
      ddl: (table, d) => [
        `CREATE TABLE IF NOT EXISTS ${table} (
           project_id TEXT NOT NULL, offtake_id TEXT NOT NULL, grams ${d.decimal} NOT NULL,
           delivered_on TEXT NOT NULL, ${TIMES_COLUMNS(d)}, PRIMARY KEY (position))`,
        `CREATE INDEX IF NOT EXISTS ${table}_by_offtake ON ${table} (project_id, offtake_id, delivered_on)`,
      ],
    },
  ],
  project: projectProjects,
  write(changes, tables) {
    const of = <Kind extends ProjectChange['kind']>(kind: Kind) =>
      changes.filter((change): change is ChangeOf<Kind> => change.kind === kind);
    const insert = (table: string, columns: string, key: string, rows: SqlValue[][]): Statement => ({
      sql: `INSERT INTO ${tables(table)} (${columns})
            VALUES (${columns
              .split(',')
              .map(() => '?')
              .join(', ')}) ON CONFLICT (${key}) DO NOTHING`,
      rows,
    });
    const registered = of('registered');
    return [
      insert(
        'projects',
        `project_id, name, operator, country, materials, stage, ${TIMES}`,
        'project_id',
        registered.map((c) => [
          c.projectId,
          c.name,
          c.operator,
          c.country,
          JSON.stringify(c.materials),
          c.stage,
          ...times(c),
        ]),
      ),
      insert(
        'project_materials',
        'project_id, material',
        'project_id, material',
        registered.flatMap((c) => c.materials.map((material) => [c.projectId, material])),
      ),
      insert(
        'project_stage_changes',
        `project_id, from_stage, to_stage, ${TIMES}`,
        'position',
        of('stage').map((c) => [c.projectId, c.from, c.to, ...times(c)]),
      ),
      insert(
        'project_capacities',
        `project_id, material, grams, ${TIMES}`,
        'position',
        of('capacity').map((c) => [c.projectId, c.material, c.grams.toString(), ...times(c)]),
      ),
      insert(
        'project_financings',
        `project_id, financing_id, financier, financier_country, instrument, amount, currency, minor_units, ${TIMES}`,
        'position',
        of('financing').map((c) => [
          c.projectId,
          c.financingId,
          c.financier,
          c.financierCountry,
          c.instrument,
          c.amount,
          c.currency,
          c.minorUnits.toString(),
          ...times(c),
        ]),
      ),
      insert(
        'offtakes',
        `project_id, offtake_id, buyer, buyer_country, material, grams, starts_on, ends_on, ${TIMES}`,
        'position',
        of('offtake').map((c) => [
          c.projectId,
          c.offtakeId,
          c.buyer,
          c.buyerCountry,
          c.material,
          c.grams.toString(),
          c.startsOn,
          c.endsOn,
          ...times(c),
        ]),
      ),
      insert(
        'offtake_terminations',
        `project_id, offtake_id, reason, effective_on, ${TIMES}`,
        'position',
        of('termination').map((c) => [c.projectId, c.offtakeId, c.reason, c.effectiveOn, ...times(c)]),
      ),
      insert(
        'offtake_deliveries',
        `project_id, offtake_id, grams, delivered_on, ${TIMES}`,
        'position',
        of('delivery').map((c) => [c.projectId, c.offtakeId, c.grams.toString(), c.deliveredOn, ...times(c)]),
      ),
    ].filter((statement) => statement.rows.length > 0);
  },
};
