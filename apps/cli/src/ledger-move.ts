import {
  ChainVerifier,
  type ChainVerification,
  createEventStore,
  describeChainFailure,
  type EventStore,
  ImportRefusedError,
  importLog,
  type LogEntry,
  type StoredLogEntry,
  LogImportRefusedError,
  StoreAccessDeniedError,
  StoreUnavailableError,
  verifyStore,
} from '@ledger/event-store';
import { openReadModelStore, RebuildError, rebuildReadModels } from '@ledger/projections';
import type { CliArguments } from './cli-arguments';
import { ProgressBar } from './progress';
import { describeEventStore, type StoreLocation } from './store-location';

/**
 * Moving a ledger's log into another store, as `import` and `migrate` do it: verify the whole source,
 * import it (resuming after what the target holds already), verify the target against the source's
 * digest, then rebuild the target's read models.
 */

/** The move was refused or its check failed: a plain message, exit code 1, no stack trace. */
export class MoveRefusedError extends Error {
  override name = 'MoveRefusedError';
}

/** Errors a moving command reports as a plain message (exit code 1) rather than a crash. */
export const isPlainRefusal = (error: unknown): error is Error =>
  error instanceof MoveRefusedError ||
  error instanceof LogImportRefusedError ||
  error instanceof ImportRefusedError ||
  error instanceof RebuildError ||
  error instanceof StoreUnavailableError ||
  error instanceof StoreAccessDeniedError;

/**
 * How a command that writes or moves a ledger ends on a plain refusal: its message on stderr, exit code 1.
 * Anything else is rethrown, to crash with its stack trace.
 */
export function reportRefusalOrRethrow(error: unknown): 1 {
  if (!isPlainRefusal(error)) throw error;
  process.stderr.write(`error: ${error.message}\n`);
  return 1;
}

/** A log to move: read twice, once to verify it and once to import it. */
export interface MoveSource {
  /** where it comes from, for messages */
  label: string;
  /** its events in global order, read afresh on each call */
  events(): AsyncIterable<LogEntry | StoredLogEntry>;
  /** how many events it holds, for progress; 0n when unknown */
  count: bigint;
}

export interface MoveOptions {
  /** rebuild the target's read models at the end (default true) */
  rebuild: boolean;
  force?: boolean;
  disable?: boolean;
}

export interface MoveReport {
  /** events in the log moved */
  events: bigint;
  /** found in the target already: an earlier import that stopped */
  resumed: number;
  /** written by this move */
  imported: number;
  /** the log digest (version 2) through the last event: the source's, and now the target's */
  digest: string;
  importSeconds: number;
  /** read models rebuilt, and in how long */
  rebuilt?: { models: string[]; seconds: number };
}

/** The progress options a moving command takes. */
export const progressOptions = (args: CliArguments) => ({
  force: args.flags.has('progress'),
  disable: args.flags.has('no-progress'),
});

const secondsSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

/** Stops after the first `count` events: what the verifying pass saw, even if the source grew since. */
async function* firstEvents<Event>(events: AsyncIterable<Event>, count: bigint): AsyncGenerator<Event> {
  if (count === 0n) return;
  let seen = 0n;
  for await (const event of events) {
    yield event;
    seen += 1n;
    if (seen >= count) return;
  }
}

function failureList(label: string, chains: ChainVerification): string {
  const listed = chains.failures.map((failure) => `  ${describeChainFailure(failure)}`).join('\n');
  const more = chains.failureCount - chains.failures.length;
  return `${label}:\n${listed}${more > 0 ? `\n  ... and ${more} more` : ''}`;
}

/** The whole source, verified before anything is written: its chains and the evidence of its lines. */
async function verifySource(source: MoveSource, options: MoveOptions): Promise<ChainVerification> {
  const bar = new ProgressBar('verify ', source.count, options);
  const verifier = new ChainVerifier({ maxFailures: 10 });
  for await (const event of source.events()) {
    verifier.add(event);
    if (verifier.events % 1000 === 0) bar.update(BigInt(verifier.events));
  }
  bar.finish(BigInt(verifier.events));
  const chains = verifier.result();
  if (!chains.verified) {
    throw new MoveRefusedError(
      failureList(
        `${source.label} does not verify (${chains.failureCount} failures), so nothing was imported ` +
          '(`verify` lists every failure)',
        chains,
      ),
    );
  }
  return chains;
}

/** The target as stored after the import: every chain, and the digest the source gave. */
async function verifyTarget(
  target: EventStore,
  label: string,
  expected: ChainVerification,
  options: MoveOptions,
): Promise<void> {
  const bar = new ProgressBar('check  ', expected.sequence, options);
  const chains = await verifyStore(target, { onProgress: ({ events }) => bar.update(BigInt(events)) });
  bar.finish(chains.sequence);
  if (!chains.verified)
    throw new MoveRefusedError(failureList(`${label} does not verify after the import`, chains));
  if (chains.sequence !== expected.sequence || chains.digest !== expected.digest) {
    throw new MoveRefusedError(
      `${label} holds ${chains.sequence} events with digest ${chains.digest}, but the source gave ` +
        `${expected.sequence} events with digest ${expected.digest}: something else wrote to it during the import`,
    );
  }
}

/** Verifies `source`, imports it into `target`, verifies the target and rebuilds its read models. */
export async function moveLog(
  source: MoveSource,
  target: StoreLocation,
  options: MoveOptions,
): Promise<MoveReport> {
  const verified = await verifySource(source, options);
  const label = describeEventStore(target.events);
  const store = await createEventStore(target.events);
  try {
    const bar = new ProgressBar('import ', verified.sequence, options);
    const started = process.hrtime.bigint();
    const imported = await importLog(firstEvents(source.events(), verified.sequence), store, {
      onProgress: ({ sequence }) => bar.update(sequence),
    });
    bar.finish(imported.sequence);
    const importSeconds = secondsSince(started);
    if (imported.sequence !== verified.sequence || imported.digest !== verified.digest) {
      throw new MoveRefusedError(
        `${source.label} changed between its verification and its import (digest ${verified.digest} at ` +
          `sequence ${verified.sequence}, then ${imported.digest} at ${imported.sequence})`,
      );
    }
    await verifyTarget(store, label, verified, options);
    const report: MoveReport = {
      events: verified.sequence,
      resumed: imported.resumed,
      imported: imported.imported,
      digest: verified.digest,
      importSeconds,
    };
    if (!options.rebuild) return report;
    const readModels = await openReadModelStore(target.reads);
    try {
      const rebuildBar = new ProgressBar('rebuild', verified.sequence, options);
      const rebuildStarted = process.hrtime.bigint();
      const rebuilt = await rebuildReadModels(store, readModels, {
        onProgress: ({ events }) => rebuildBar.update(BigInt(events)),
      });
      rebuildBar.finish(BigInt(rebuilt.events));
      return {
        ...report,
        rebuilt: {
          models: readModels.models.map((model) => model.name),
          seconds: secondsSince(rebuildStarted),
        },
      };
    } finally {
      await readModels.close();
    }
  } finally {
    await store.close();
  }
}

/** What a move printed on success: what was written, the digest to compare, the read models. */
export function describeMove(report: MoveReport, targetLabel: string): string {
  const rate = report.importSeconds > 0 ? Math.round(report.imported / report.importSeconds) : 0;
  const lines = [
    `imported ${report.imported} events into ${targetLabel} in ${report.importSeconds.toFixed(1)} s ` +
      `(${rate.toLocaleString('en')} events/s)` +
      (report.resumed > 0 ? `, after ${report.resumed} events it held already (resumed)` : ''),
    `verified: the target's ${report.events} events give digest ${report.digest} at sequence ${report.events}, the source's`,
  ];
  if (report.rebuilt) {
    lines.push(
      `rebuilt ${report.rebuilt.models.join(', ')} from ${report.events} events in ${report.rebuilt.seconds.toFixed(1)} s`,
    );
  }
  return `${lines.join('\n')}\n`;
}
