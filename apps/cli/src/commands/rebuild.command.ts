import { createEventStore } from '@ledger/event-store';
import { rebuildReadModels, SQLITE_READ_MODELS } from '@ledger/projections';
import { type CliCommand } from '../cli-arguments';
import { openLedgerFile, STORE_OPTIONS_USAGE, storeConfigOf } from '../log-source';
import { ProgressBar } from '../progress';

export const rebuildCommand: CliCommand = {
  summary: 'rebuild every read model from the log beside the live one, then swap it in',
  usage: `usage: npm run ledger -- rebuild [--data-dir DIR] [--event-store S] [--progress | --no-progress]

Builds a fresh version of every read model from the whole event log, next to the live tables, and swaps
it in when caught up. Safe while the API runs: queries see the old version until the swap.
A progress bar with the rate is shown on a terminal (--progress forces it, --no-progress hides it).

${STORE_OPTIONS_USAGE}
                     (the read models stay in the data folder's file either way)`,
  async run(args) {
    const config = storeConfigOf(args);
    const db = openLedgerFile(config);
    // the log the configuration names: this file, PostgreSQL or EventStoreDB (--event-store)
    const store = await createEventStore(config, db);
    try {
      const started = process.hrtime.bigint();
      const bar = new ProgressBar('rebuild', await store.headPosition(), {
        force: args.flags.has('progress'),
        disable: args.flags.has('no-progress'),
      });
      const result = await rebuildReadModels(db, store, SQLITE_READ_MODELS, {
        onProgress: ({ position, head }) => {
          bar.setTotal(head);
          bar.update(position);
        },
      });
      bar.finish(result.position);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stdout.write(
        `rebuilt ${SQLITE_READ_MODELS.map((model) => model.name).join(', ')} from ${result.events} events ` +
          `up to position ${result.position} in ${seconds.toFixed(1)} s\n`,
      );
      return 0;
    } finally {
      await store.close();
      db.close();
    }
  },
};
