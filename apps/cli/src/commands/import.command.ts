import { type CliCommand, CliError } from '../cli-arguments';
import { describeMove, moveLog, progressOptions, reportRefusalOrRethrow } from '../ledger-move';
import { eventCountOfFile, fileSource } from '../log-source';
import { describeEventStore, STORE_LOCATION_USAGE, storeLocation } from '../store-location';

export const importCommand: CliCommand = {
  summary: 'load an NDJSON export into an empty event store (or resume), then rebuild its read models',
  usage: `usage: npm run ledger -- import FILE --event-store S [--read-store R] [--data-dir DIR] [--no-rebuild]
                             [--progress | --no-progress]

Reads an export (npm run ledger -- export) into an event store that is empty, or that holds exactly the
first events of this export (an import that stopped: it resumes after them). Every event keeps its id,
stream, revision, type, schema version, data, metadata (with its hash chain), effective time and recorded
time; the target numbers them with positions of its own (SQLite and PostgreSQL: 1..N, the same as the
export's when it came from one of them). Then the target's read models are rebuilt.

  FILE               an NDJSON export
  --event-store S    the target: ${STORE_LOCATION_USAGE};
                     "sqlite" is the data folder's file (--data-dir, LEDGER_DATA_DIR)
  --read-store R     where the read models are rebuilt: sqlite (the target's data folder, or --data-dir for a
                     server target), sqlite:DIR, or a PostgreSQL URL (default LEDGER_READ_STORE, else sqlite)
  --no-rebuild       leave the read models alone (the projector catches up when the ledger starts)

Nothing is written unless the whole export verifies (every hash chain, and the sequence and digest each
line carries). After the import the target is verified: its chains, and its digest, which must be the
export's. A progress bar with the rate is shown on a terminal. Exit code 1, with the reason, when the
export does not verify or the target holds something else; 2 for a usage mistake.`,
  async run(args) {
    const [file, ...extra] = args.positional;
    if (file === undefined || extra.length > 0) throw new CliError('name one export file (see --help)');
    const location = args.options.get('event-store') ?? (args.options.has('data-dir') ? 'sqlite' : undefined);
    if (location === undefined)
      throw new CliError('name the target: --event-store S (or --data-dir DIR for the embedded ledger)');
    const target = storeLocation(location, args);
    const source = fileSource(file);
    try {
      const report = await moveLog(
        { label: file, events: () => source.events(), count: eventCountOfFile(file) },
        target,
        { rebuild: !args.flags.has('no-rebuild'), ...progressOptions(args) },
      );
      process.stdout.write(describeMove(report, describeEventStore(target.events)));
      return 0;
    } catch (error) {
      return reportRefusalOrRethrow(error);
    }
  },
};
