import {
  type StockpileCommand,
  stockpileDecider,
  type StockpileEvent,
  type StockpileState,
  stockpileStreamId,
} from '@ledger/domain';
import { CommandHandler, createEventStore, type EventStore, newId } from '@ledger/event-store';
import { join } from 'node:path';
import type { BenchContext } from '../bench-context';
import { type BenchResult, rateRow, reason, seconds, skippedRow } from '../bench-result';
import { type EmmettEvent, type EmmettPeers, loadEmmett } from '../peers/emmett';
import {
  acquireCommand,
  benchContext,
  establishCommand,
  runConcurrently,
  STOCKPILES,
  stockpileIdOf,
} from '../stockpile-commands';

const CONCURRENCY = 32;

export const PEER_ROWS = [
  'peers-sqlite-sequential',
  'peers-sqlite-concurrent',
  'peers-postgres-sequential',
  'peers-postgres-concurrent',
] as const;

/** Handles one stockpile command, whichever library does it. */
interface Runner {
  run(streamId: string, command: StockpileCommand): Promise<void>;
  close(): Promise<void>;
}

interface Rate {
  rate: number;
  failures: number;
  firstFailure?: string;
}

interface WorkloadResult {
  sequential: Rate;
  concurrent: Rate;
}

/**
 * The workload every side runs: 200 stockpiles established, a warm-up, then `commands` AcquireStock
 * commands one at a time, then `commands` more from 32 concurrent callers (round-robin over the stockpiles,
 * so no two callers write one stream at once). A failed command counts as a failure, not a command.
 */
async function workload(runner: Runner, commands: number): Promise<WorkloadResult> {
  // Emmett's SQLite connection console.logs every error of a transaction: not in the bench's output.
  const log = console.log;
  console.log = () => undefined;
  try {
    return await measuredWorkload(runner, commands);
  } finally {
    console.log = log;
    await runner.close();
  }
}

async function measuredWorkload(runner: Runner, commands: number): Promise<WorkloadResult> {
  const streamOf = (i: number) => stockpileStreamId(stockpileIdOf(i));
  for (let s = 0; s < STOCKPILES; s += 1) await runner.run(stockpileStreamId(`s${s}`), establishCommand(s));
  const measure = async (from: number, concurrency: number): Promise<Rate> => {
    let failures = 0;
    let firstFailure: string | undefined;
    const started = process.hrtime.bigint();
    await runConcurrently(from, from + commands, concurrency, async (i) => {
      try {
        await runner.run(streamOf(i), acquireCommand(i));
      } catch (error) {
        failures += 1;
        firstFailure ??= reason(error);
      }
    });
    const elapsed = seconds(started);
    return { rate: (commands - failures) / elapsed, failures, ...(firstFailure ? { firstFailure } : {}) };
  };
  await measure(2 * commands, 1); // warm-up, untimed
  const sequential = await measure(0, 1);
  const concurrent = await measure(commands, CONCURRENCY);
  return { sequential, concurrent };
}

function ledgerRunner(store: EventStore): Runner {
  const handler = new CommandHandler(store);
  return {
    run: async (streamId, command) => {
      await handler.handle({ decider: stockpileDecider, streamId, context: benchContext, command });
    },
    close: () => store.close(),
  };
}

/** The same decider in Emmett's command handler: events carry effectiveAt and our metadata in `metadata`. */
function emmettRunner(peers: EmmettPeers, store: unknown, close: () => Promise<void>): Runner {
  const handle = peers.emmett.CommandHandler<StockpileState>({
    evolve: (state, event) =>
      stockpileDecider.evolve(state, {
        type: event.type,
        data: event.data,
        effectiveAt: event.metadata!.effectiveAt,
      } as StockpileEvent),
    initialState: () => stockpileDecider.initialState,
  });
  const toEmmett = (event: StockpileEvent): EmmettEvent => ({
    type: event.type,
    data: event.data as unknown as Record<string, unknown>,
    metadata: {
      effectiveAt: event.effectiveAt,
      actor: benchContext.actor,
      correlationId: benchContext.correlationId,
      causationId: newId(),
    },
  });
  return {
    run: async (streamId, command) => {
      await handle(store, streamId, (state) => stockpileDecider.decide(command, state).map(toEmmett));
    },
    close,
  };
}

const failureNote = (label: string, rate: Rate) =>
  rate.failures > 0 ? `; ${label} failed ${rate.failures} commands (${rate.firstFailure})` : '';

function peerRows(
  store: 'sqlite' | 'postgres',
  commands: number,
  ledger: WorkloadResult,
  peer: WorkloadResult,
  peerName: string,
  setting: string,
): BenchResult[] {
  return (['sequential', 'concurrent'] as const).map((mode) => {
    const row = rateRow(
      `peers-${store}-${mode}`,
      'commands/s',
      ledger[mode].rate,
      peer[mode].rate,
      `${commands} AcquireStock commands ${mode === 'sequential' ? 'one at a time' : `from ${CONCURRENCY} concurrent callers`}, ` +
        `in process, same decider; baseline: ${peerName} (its command handler and store), ${setting}; ratio = ledger / peer` +
        failureNote('the ledger', ledger[mode]) +
        failureNote(peerName, peer[mode]),
    );
    // A peer that failed more than a tenth of the commands has no rate worth a ratio.
    return peer[mode].failures <= commands / 10 ? row : { ...row, ratio: null };
  });
}

/**
 * `peers`: the same sequential and 32-concurrent command workloads on the ledger and on Emmett, with
 * SQLite (emmett-sqlite) and PostgreSQL (emmett-postgresql), in this run. Rows are skipped, saying why,
 * when the peers cannot be installed or no PostgreSQL can be had.
 */
export async function peersBenchmarks(context: BenchContext): Promise<BenchResult[]> {
  const commands = context.options.peerCommands;
  let peers: EmmettPeers;
  try {
    peers = await loadEmmett((message) => context.log(message));
  } catch (error) {
    return PEER_ROWS.map((name) =>
      skippedRow(name, 'commands/s', `Emmett could not be installed: ${reason(error)}`),
    );
  }
  const results: BenchResult[] = [];

  const folder = context.subfolder('peers');
  const ledgerSqlite = await workload(
    ledgerRunner(
      await createEventStore({
        dataDir: folder,
        eventStore: { kind: 'sqlite' },
        readStore: { kind: 'sqlite' },
      }),
    ),
    commands,
  );
  // Emmett's default for a file opens a connection per operation and sets WAL on it without waiting for
  // that; here it failed now and then with SQLITE_BUSY even one command at a time. The peer gets one shared
  // connection instead, as the ledger has (Emmett's `singleton` connection option).
  const fileName = join(folder, 'emmett.sqlite');
  const connection = peers.sqlite.sqliteConnection({ fileName });
  const emmettSqlite = await workload(
    emmettRunner(
      peers,
      peers.sqlite.getSQLiteEventStore({ fileName, connectionOptions: { singleton: true, connection } }),
      async () => connection.close(),
    ),
    commands,
  );
  results.push(
    ...peerRows(
      'sqlite',
      commands,
      ledgerSqlite,
      emmettSqlite,
      `emmett-sqlite ${peers.versions.sqlite} (emmett ${peers.versions.emmett})`,
      'one shared connection (its singleton option); both WAL with synchronous at FULL',
    ),
  );

  let postgresUrl: { ledger: string; peer: string; description: string };
  try {
    const postgres = await context.postgres();
    postgresUrl = {
      ledger: await postgres.createDatabase('peers_ledger'),
      peer: await postgres.createDatabase('peers_emmett'),
      description: postgres.description,
    };
  } catch (error) {
    return [
      ...results,
      ...PEER_ROWS.filter((name) => name.startsWith('peers-postgres')).map((name) =>
        skippedRow(name, 'commands/s', `no PostgreSQL: ${reason(error)}`),
      ),
    ];
  }
  const ledgerPostgres = await workload(
    ledgerRunner(
      await createEventStore({
        dataDir: folder,
        eventStore: { kind: 'postgres', url: postgresUrl.ledger },
        readStore: { kind: 'sqlite' },
      }),
    ),
    commands,
  );
  const emmettStore = peers.postgres.getPostgreSQLEventStore(postgresUrl.peer);
  const emmettPostgres = await workload(
    emmettRunner(peers, emmettStore, () => emmettStore.close()),
    commands,
  );
  results.push(
    ...peerRows(
      'postgres',
      commands,
      ledgerPostgres,
      emmettPostgres,
      `emmett-postgresql ${peers.versions.postgres}`,
      `one ${postgresUrl.description} server, a database each`,
    ),
  );
  return results;
}
