import { DomainError, parseCountry, parseInstant, parseMaterial } from '@ledger/domain';
import { ChainVerifier, describeChainFailure, type RecordedEvent } from '@ledger/event-store';
import {
  allInventoryBalances,
  type Bitemporal,
  EventProjector,
  openMemoryReadModelStore,
  queryExposure,
  queryExposureMaterials,
  toInventoryRow,
} from '@ledger/projections';
import { type CliCommand, CliError } from '../cli-arguments';
import { fileSource } from '../log-source';

const POSITION = /^(0|[1-9][0-9]{0,18})$/;
const BATCH = 1000;

/** As the command line gives them: an option left out is undefined. */
export interface OfflineReportOptions {
  /** effective date or date-time; default now (as the API) */
  asOf?: string | undefined;
  /** recorded time (date-time) or global position; default: everything in the export */
  knownAt?: string | undefined;
  /** exposure: the importing country */
  country?: string | undefined;
  /** exposure: one material (default every material with data); inventory: a filter */
  material?: string | undefined;
  /** inventory filters */
  stockpile?: string | undefined;
  location?: string | undefined;
  /** report from an export whose chains do not verify (the default refuses) */
  unverified?: boolean;
}

/** The same cut as the API's `asOf` / `knownAt` query parameters (apps/api/src/reports/report-query.ts). */
export function parseOfflineCut(options: Pick<OfflineReportOptions, 'asOf' | 'knownAt'>): Bitemporal {
  const asOf = options.asOf === undefined ? new Date().toISOString() : parseInstant(options.asOf, 'asOf');
  if (options.knownAt === undefined) return { asOf };
  if (POSITION.test(options.knownAt)) return { asOf, knownAt: { position: BigInt(options.knownAt) } };
  if (!/T/.test(options.knownAt))
    throw new CliError('--known-at must be a date-time with offset or a global position');
  return { asOf, knownAt: { recordedAt: parseInstant(options.knownAt, 'knownAt') } };
}

/** The export's hash chains do not hold: a report from it would prove nothing. */
export class UnverifiedExportError extends Error {
  override name = 'UnverifiedExportError';
}

/**
 * Inventory or exposure computed from an NDJSON export alone: the events go through the same projections
 * into an in-memory SQLite database, then through the same queries the API answers with. Equal output is
 * the proof that the server's reports come from the log.
 */
export async function offlineReport(
  kind: 'inventory' | 'exposure',
  file: string,
  options: OfflineReportOptions = {},
): Promise<unknown> {
  const cut = parseOfflineCut(options);
  const country = kind === 'exposure' ? parseCountry(options.country, 'country') : undefined;
  const material =
    kind === 'exposure' && options.material !== undefined
      ? parseMaterial(options.material, 'material')
      : undefined;

  const store = await openMemoryReadModelStore();
  try {
    const projector = new EventProjector();
    const verifier = new ChainVerifier({ maxFailures: 5 });
    let batch: RecordedEvent[] = [];
    const apply = async () => {
      const [failure] = await store.apply(projector.project(batch));
      batch = [];
      if (failure) throw failure.error;
    };
    for await (const event of fileSource(file).events()) {
      verifier.add(event);
      batch.push(event);
      if (batch.length >= BATCH) await apply();
    }
    await apply();
    const chains = verifier.result();
    if (!chains.verified && !options.unverified) {
      throw new UnverifiedExportError(
        `${file} does not verify (${chains.failureCount} failures), so no report is made from it:\n` +
          chains.failures.map((failure) => `  ${describeChainFailure(failure)}`).join('\n'),
      );
    }

    const db = store.reader;
    if (kind === 'inventory') {
      const balances = await allInventoryBalances(
        db,
        {
          ...(options.stockpile === undefined ? {} : { stockpileIds: [options.stockpile] }),
          ...(options.material === undefined ? {} : { material: options.material }),
          ...(options.location === undefined ? {} : { location: options.location }),
        },
        cut,
      );
      // the shape of GET /inventory's last page: every row, nothing after it
      return { asOf: cut.asOf, rows: balances.map(toInventoryRow), nextCursor: null };
    }
    if (material !== undefined) return await queryExposure(db, country!, material, cut);
    const materials = await queryExposureMaterials(db, country!, cut);
    return {
      country,
      asOf: cut.asOf,
      materials: await Promise.all(materials.map((each) => queryExposure(db, country!, each, cut))),
    };
  } finally {
    await store.close();
  }
}

export const reportCommand: CliCommand = {
  summary: 'compute inventory or exposure offline from an export file, as the API would',
  usage: `usage: npm run ledger -- report inventory FILE [--as-of D] [--known-at K] [--stockpile ID] [--material M] [--location L]
       npm run ledger -- report exposure FILE --country C [--material M] [--as-of D] [--known-at K]

Loads an NDJSON export (npm run ledger -- export) into an in-memory database through the ledger's own
projections and prints the report as JSON, in the shape GET /inventory, GET /exposure/{country} or
GET /exposure/{country}/{material} answers. No server and no data folder are involved.

  --as-of D      effective date or date-time (default now)
  --known-at K   recorded date-time with offset, or a global position (default: the whole export)
  --country C    exposure: the importing country (ISO 3166-1 alpha-2)
  --material M   exposure: one material (default every material with data); inventory: a filter

The export's hash chains are verified while it loads; from one that does not verify no report is made
(exit code 1; \`verify FILE\` lists every failure).`,
  async run(args) {
    const [kind, file, ...extra] = args.positional;
    if (kind !== 'inventory' && kind !== 'exposure')
      throw new CliError('name the report: inventory or exposure (see --help)');
    if (file === undefined || extra.length > 0) throw new CliError('name one export file (see --help)');
    if (kind === 'exposure' && !args.options.has('country')) throw new CliError('exposure needs --country');
    const option = (name: string) => args.options.get(name);
    try {
      const report = await offlineReport(kind, file, {
        asOf: option('as-of'),
        knownAt: option('known-at'),
        country: option('country'),
        material: option('material'),
        stockpile: option('stockpile'),
        location: option('location'),
      });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof DomainError) throw new CliError(error.message);
      if (!(error instanceof UnverifiedExportError)) throw error;
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    }
  },
};
