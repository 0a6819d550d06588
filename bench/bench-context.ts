import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type LedgerFixture, generateLedgerFolder } from './benchmarks/ledger-fixture';
import { type BenchPostgres, startBenchPostgres } from './postgres';

/** What a run was asked for (`npm run bench -- --events N --only a,b --quick`). */
export interface BenchOptions {
  /** small sizes and short loads: a smoke run that shows every row works, not numbers to publish */
  quick: boolean;
  /** events of the generated ledger that rebuild, verify, report-query and import share */
  events: number;
  /** sequential commands of append and append-postgres */
  commands: number;
  /** seconds of each autocannon load */
  httpSeconds: number;
  /** samples of each report latency */
  reportSamples: number;
  /** commands of each peers workload (sequential, then 32 concurrent) */
  peerCommands: number;
  /** ledger sizes of the scale table */
  scaleSizes: number[];
  /** only these rows (names; `peers` and `scale` name their groups) */
  only: string[] | undefined;
}

/**
 * What the benchmarks of one run share, made when the first one needs it: the generated ledger, the
 * PostgreSQL server and a scratch folder.
 */
export class BenchContext {
  private fixtureMade: Promise<LedgerFixture> | undefined;
  private postgresStarted: Promise<BenchPostgres> | undefined;
  /** which read stores of the fixture hold read models built from the whole log (by a rebuild row) */
  readonly builtReadStores = new Map<'sqlite' | 'postgres', string>();

  constructor(
    readonly options: BenchOptions,
    readonly folder: string,
  ) {}

  /** A new folder under the run's scratch folder. */
  subfolder(name: string): string {
    const path = join(this.folder, name);
    mkdirSync(path, { recursive: true });
    return path;
  }

  log(message: string): void {
    process.stderr.write(`${message}\n`);
  }

  fixture(): Promise<LedgerFixture> {
    this.fixtureMade ??= (async () => {
      let shown = 0;
      const fixture = await generateLedgerFolder(
        this.subfolder('fixture'),
        this.options.events,
        (written) => {
          if (process.stderr.isTTY && written - shown >= 50_000) {
            shown = written;
            process.stderr.write(`\rgenerating ledger: ${written.toLocaleString('en')} events`);
          }
        },
      );
      if (process.stderr.isTTY) process.stderr.write('\n');
      this.log(
        `ledger of ${fixture.events.toLocaleString('en')} events generated in ${fixture.generationSeconds.toFixed(1)} s`,
      );
      return fixture;
    })();
    return this.fixtureMade;
  }

  /** The run's PostgreSQL; rejects (and the rows that need it are skipped) when none can be had. */
  postgres(): Promise<BenchPostgres> {
    this.postgresStarted ??= startBenchPostgres().then((postgres) => {
      this.log(`using ${postgres.description}`);
      return postgres;
    });
    return this.postgresStarted;
  }

  async close(): Promise<void> {
    const postgres = await this.postgresStarted?.catch(() => undefined);
    await postgres?.stop();
  }
}
