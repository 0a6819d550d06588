import { createEventStore, sqliteFileOf } from '@ledger/event-store';
import { openReadModelStore, RebuildError, rebuildReadModels } from '@ledger/projections';
import { existsSync } from 'node:fs';
import { CliError, type CliCommand } from '../cli-arguments';
import { STORE_OPTIONS_USAGE, storeConfigOf } from '../log-source';
import { ProgressBar } from '../progress';

export const rebuildCommand: CliCommand = {
  summary: 'rebuild every read model from the log beside the live one, then swap it in',
  usage: `usage: npm run ledger -- rebuild [--data-dir DIR] [--event-store S] [--progress | --no-progress]

Builds a fresh version of every read model from the whole event log, next to the live tables, and swaps
it in when caught up; then gives back the space the old version held. Safe while the API runs: queries see
the old version until the swap. The read models are those of LEDGER_READ_STORE (default: the data folder's
SQLite file). A progress bar with the rate is shown on a terminal (--progress forces it, --no-progress
hides it). An event a read model cannot take stops the rebuild (exit code 1), naming it; the live read
models are then unchanged.

${STORE_OPTIONS_USAGE}`,
  async run(args) {
    const config = storeConfigOf(args);
    const file = sqliteFileOf(config);
    if ((config.eventStore.kind === 'sqlite' || config.readStore.kind === 'sqlite') && !existsSync(file)) {
      throw new CliError(`no ledger at ${file} (set LEDGER_DATA_DIR or --data-dir)`);
    }
    const events = await createEventStore(config);
    const readModels = await openReadModelStore(config).catch(async (error: unknown) => {
      await events.close();
      throw error;
    });
    try {
      const started = process.hrtime.bigint();
      const bar = new ProgressBar('rebuild', await events.headPosition(), {
        force: args.flags.has('progress'),
        disable: args.flags.has('no-progress'),
      });
      const result = await rebuildReadModels(events, readModels, {
        onProgress: ({ position, head }) => {
          bar.setTotal(head);
          bar.update(position);
        },
      });
      bar.finish(result.position);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stdout.write(
        `rebuilt ${readModels.models.map((model) => model.name).join(', ')} from ${result.events} events ` +
          `up to position ${result.position} in ${seconds.toFixed(1)} s; ` +
          `${(result.reclaimedBytes / 1024 / 1024).toFixed(1)} MiB given back to the file system\n`,
      );
      return 0;
    } catch (error) {
      if (!(error instanceof RebuildError)) throw error;
      process.stderr.write(`error: ${error.message}\n`);
      return 1;
    } finally {
      await readModels.close();
      await events.close();
    }
  },
};
