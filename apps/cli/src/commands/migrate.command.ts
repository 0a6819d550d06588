import { type CliCommand, CliError } from '../cli-arguments';
import { describeMove, moveLog, progressOptions, reportRefusalOrRethrow } from '../ledger-move';
import { storeSourceOf } from '../log-source';
import { describeEventStore, STORE_LOCATION_USAGE, storeLocation } from '../store-location';

export const migrateCommand: CliCommand = {
  summary: 'move the log from one event store to another (export piped into import), then rebuild',
  usage: `usage: npm run ledger -- migrate --from S --to T [--read-store R] [--no-rebuild] [--progress | --no-progress]

Copies every event of the store S into the store T, which must be empty or hold exactly the first events
of S (a migration that stopped, or an earlier pass while the ledger kept running: it resumes after them).
The log streams through, page by page, in constant memory: read once to verify it, once to copy it.
Events appended to S after the migration started are not copied: run it again to copy them.

  --from S, --to T   ${STORE_LOCATION_USAGE}
  --read-store R     where T's read models are rebuilt: sqlite (T's data folder, or --data-dir for a server
                     target), sqlite:DIR, or a PostgreSQL URL (default LEDGER_READ_STORE, else sqlite)
  --no-rebuild       leave the read models alone (the projector catches up when the ledger starts)

What moves and what a client may keep: README, "Moving a ledger". Exit code 1, with the reason, when S does
not verify or T holds something else; 2 for a usage mistake.`,
  async run(args) {
    const from = args.options.get('from');
    const to = args.options.get('to');
    if (from === undefined || to === undefined) throw new CliError('name both stores: --from S --to T');
    if (args.positional.length > 0) throw new CliError(`unexpected ${args.positional.join(' ')}`);
    const source = storeLocation(from, args);
    const target = storeLocation(to, args);
    const sourceLabel = describeEventStore(source.events);
    const targetLabel = describeEventStore(target.events);
    if (sourceLabel === targetLabel)
      throw new CliError(`--from and --to name the same store, ${sourceLabel}`);
    let log: Awaited<ReturnType<typeof storeSourceOf>> | undefined;
    try {
      log = await storeSourceOf(source.events);
      const opened = log;
      const events = () => opened.storedEvents?.() ?? opened.events();
      const report = await moveLog({ label: sourceLabel, events, count: 0n }, target, {
        rebuild: !args.flags.has('no-rebuild'),
        ...progressOptions(args),
      });
      process.stdout.write(describeMove(report, targetLabel));
      return 0;
    } catch (error) {
      return reportRefusalOrRethrow(error);
    } finally {
      await log?.close();
    }
  },
};
