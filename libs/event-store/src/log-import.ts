import { ChainVerifier, describeChainFailure } from './chain-verifier';
import type { LogEntry, RecordedEvent, RecordedOrStoredEvent, StoredLogEntry } from './event-envelope';
import type { EventStore } from './event-store.port';
import { readLogPages } from './log-pages';
import { recordedEventDifference } from './recorded-import';

/** How `importLog` writes, and what it reports while it runs. */
export interface ImportLogOptions {
  /** events per `importRecorded` call (default 1000): one transaction each on SQLite and PostgreSQL */
  batchSize?: number;
  /** called after each batch written, and once the events the target held already were compared */
  onProgress?: (progress: ImportLogProgress) => void;
}

export interface ImportLogProgress {
  /** events of the source read so far: the sequence of the last one */
  sequence: bigint;
  /** of them, found in the target already, identical: an interrupted import resumed after them */
  resumed: number;
  /** of them, written to the target by this import */
  imported: number;
}

export interface ImportLogResult extends ImportLogProgress {
  /** the log digest (version 2) through the source's last event, recomputed here from the events */
  digest: string;
  /** the target's position of the last event; 0n for an empty log */
  position: bigint;
}

/** Why a log was not imported: it does not verify, or the target holds something else. */
export type LogImportRefusal = 'source-not-verified' | 'target-not-a-prefix';

/** The import refused the source or the target; the message says which event and why. */
export class LogImportRefusedError extends Error {
  constructor(
    readonly reason: LogImportRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'LogImportRefusedError';
  }
}

/** The target's log, one event at a time, page by page: compared with the source's first events. */
function eventsHeldBy(target: EventStore, pageSize: number) {
  const pages = readLogPages(target, { pageSize });
  let page: RecordedEvent[] = [];
  let index = 0;
  let done = false;
  return {
    async next(): Promise<RecordedEvent | undefined> {
      while (index >= page.length) {
        if (done) return undefined;
        const next = await pages.next();
        if (next.done) {
          done = true;
          return undefined;
        }
        page = next.value;
        index = 0;
      }
      return page[index++];
    },
    async close(): Promise<void> {
      await pages.return(undefined);
    },
  };
}

/**
 * Copies a ledger's log, given in global order (the lines of an export, another store's log), into
 * `target` through `importRecorded`, in constant memory: one batch at a time. Events may come as stored
 * (`readStoredLogPages`): those whose text is canonical are then verified and written without being
 * parsed or serialised.
 *
 * Every event keeps its id, stream, revision, content and hash chain; its recorded time is the one the
 * log digest and every `knownAt` cut use, the running maximum along the log (it differs from the stored
 * one only for a log from EventStoreDB whose clock stepped back). The target numbers the events itself.
 *
 * The target must be empty, or hold exactly the first events of this log (an import that stopped): those
 * are compared, event by event, and the import resumes after them. Anything else is refused
 * (`target-not-a-prefix`) before a single event is written.
 *
 * The source is verified as it is read (every hash chain, and the sequence and digest its lines carry):
 * a batch is written only while everything up to its end verified, so a source that does not verify is
 * refused (`source-not-verified`) with only the verified events before the failing batch written. Verify
 * the whole source first when not even that may happen (the CLI's `import` and `migrate` do).
 *
 * Returns the digest recomputed over the source; the target's digest must equal it (`storeDigest`, or
 * `verifyStore`, which also checks the chains as stored). Callable from benchmarks and tools alike.
 */
export async function importLog(
  source: AsyncIterable<LogEntry | StoredLogEntry>,
  target: EventStore,
  options: ImportLogOptions = {},
): Promise<ImportLogResult> {
  const batchSize = options.batchSize ?? 1000;
  const verifier = new ChainVerifier({ maxFailures: 1 });
  const held = eventsHeldBy(target, batchSize);
  let resumed = 0;
  let imported = 0;
  let position = 0n;
  let comparing = true;
  let batch: RecordedOrStoredEvent[] = [];
  const progress = () => ({ sequence: verifier.sequence, resumed, imported });

  const refuseUnlessVerified = () => {
    if (verifier.verified) return;
    const [failure] = verifier.result().failures;
    throw new LogImportRefusedError(
      'source-not-verified',
      `the log does not verify, so it is not imported: ${describeChainFailure(failure!)}`,
    );
  };
  const notAPrefix = (detail: string) =>
    new LogImportRefusedError(
      'target-not-a-prefix',
      `the target is not empty and does not hold the first events of this log (an import to resume): ${detail}`,
    );
  const flush = async () => {
    if (batch.length === 0) return;
    refuseUnlessVerified();
    const result = await target.importRecorded(batch);
    imported += result.imported;
    resumed += result.skipped;
    position = result.position;
    batch = [];
    options.onProgress?.(progress());
  };

  try {
    for await (const entry of source) {
      verifier.add(entry);
      const { sequence: _sequence, digest: _digest, ...envelope } = entry;
      const event: RecordedOrStoredEvent = { ...envelope, recordedAt: verifier.checkpoint.recordedAt };
      if (comparing) {
        const stored = await held.next();
        if (stored) {
          const field = recordedEventDifference(stored, event);
          if (field !== undefined) {
            throw notAPrefix(
              `its event at sequence ${verifier.sequence} (${stored.streamId}@${stored.revision}, ` +
                `event ${stored.eventId}) differs from this log's in ${field}`,
            );
          }
          resumed += 1;
          position = stored.position;
          continue;
        }
        comparing = false;
        if (resumed > 0) options.onProgress?.(progress());
      }
      batch.push(event);
      if (batch.length >= batchSize) await flush();
    }
    if (comparing && (await held.next()) !== undefined)
      throw notAPrefix(`it holds more events than this log's ${verifier.sequence}`);
    await flush();
    refuseUnlessVerified();
  } finally {
    await held.close();
  }
  return { ...progress(), digest: verifier.digest, position };
}
