import {
  chainVerificationToJson,
  type ChainVerification,
  ChainVerifier,
  describeChainFailure,
  DIGEST_VERSION,
  type DigestVersion,
} from '@ledger/event-store';
import { type CliArguments, type CliCommand, CliError } from '../cli-arguments';
import { type LogSource, openLogSource, STORE_OPTIONS_USAGE } from '../log-source';
import { ProgressBar } from '../progress';

const HEX64 = /^[0-9a-f]{64}$/;
const COUNT = /^(0|[1-9][0-9]{0,18})$/;

/** A published digest and where it was published for: a position or a sequence; neither, the end. */
export interface PublishedDigest {
  expected: string;
  position?: bigint;
  sequence?: bigint;
}

export interface DigestCheck {
  /** the published digest */
  expected: string;
  /** the position it was published for; undefined: cut by sequence, or the end of the log */
  position: bigint | undefined;
  /** the sequence it was published for; undefined: cut by position, or the end of the log */
  sequence: bigint | undefined;
  version: DigestVersion;
  /** what the log gives at that cut; undefined when the log does not reach it */
  actual: string | undefined;
  matches: boolean;
  message: string;
}

export interface LogVerification {
  source: string;
  chains: ChainVerification;
  digest?: DigestCheck;
  ok: boolean;
}

export interface VerifyLogOptions {
  digest?: PublishedDigest;
  /** the version of the digests computed and compared (default DIGEST_VERSION) */
  digestVersion?: DigestVersion;
  onProgress?: (position: bigint, head: bigint) => void;
}

/** Where a published digest was taken: by sequence, portable across stores, or by one store's position. */
function describeCut(digest: PublishedDigest, chains: ChainVerification): string {
  if (digest.sequence !== undefined) return `sequence ${digest.sequence}`;
  if (digest.position !== undefined) return `position ${digest.position}`;
  return `the end of the log (sequence ${chains.sequence}, position ${chains.lastPosition})`;
}

function compareDigest(
  published: PublishedDigest,
  actual: string | undefined,
  chains: ChainVerification,
): DigestCheck {
  const { expected, position, sequence } = published;
  const where = describeCut(published, chains);
  const check = { expected, position, sequence, version: chains.digestVersion, actual };
  if (actual === undefined) {
    const ends =
      sequence !== undefined
        ? `the log ends at sequence ${chains.sequence}, before the published sequence ${sequence}`
        : `the log ends at position ${chains.lastPosition}, before the published position ${position}`;
    return { ...check, matches: false, message: `${ends}: events were removed` };
  }
  if (actual === expected)
    return { ...check, matches: true, message: `the digest at ${where} matches the published one` };
  const hint =
    chains.digestVersion === DIGEST_VERSION
      ? ' (a digest published before version 2: --digest-version 1)'
      : '';
  return {
    ...check,
    matches: false,
    message: `the digest at ${where} is ${actual}, which does not match the published ${expected}: the log up to there was altered${hint}`,
  };
}

/**
 * Recomputes every hash chain of the log, here, from the events themselves (a server's own verdict is
 * not taken on trust), checks the digest each log line carries, and compares the log digest with a
 * published one when given.
 */
export async function verifyLog(source: LogSource, options: VerifyLogOptions = {}): Promise<LogVerification> {
  const verifier = new ChainVerifier({ digestVersion: options.digestVersion ?? DIGEST_VERSION });
  const published = options.digest;
  let atCut: string | undefined;
  if (published?.sequence === 0n) atCut = verifier.digest;
  for await (const event of source.storedEvents?.() ?? source.events()) {
    if (published?.position !== undefined && atCut === undefined && event.position > published.position)
      atCut = verifier.digest;
    verifier.add(event);
    if (published?.sequence !== undefined && verifier.sequence === published.sequence)
      atCut = verifier.digest;
    if (verifier.events % 1000 === 0) options.onProgress?.(event.position, source.head);
  }
  options.onProgress?.(verifier.lastPosition, source.head);
  const chains = verifier.result();
  if (published && published.sequence === undefined) {
    // the log reaches the published position, or the digest was published for its end
    if (
      atCut === undefined &&
      (published.position === undefined || chains.lastPosition >= published.position)
    )
      atCut = chains.digest;
  }
  const digest = published ? compareDigest(published, atCut, chains) : undefined;
  return {
    source: source.label,
    chains,
    ...(digest ? { digest } : {}),
    ok: chains.verified && (digest?.matches ?? true),
  };
}

function count(args: CliArguments, name: string, what: string): bigint | undefined {
  const value = args.options.get(name);
  if (value === undefined) return undefined;
  if (!COUNT.test(value)) throw new CliError(`--${name} must be ${what} (a non-negative integer)`);
  return BigInt(value);
}

function digestOption(args: CliArguments): PublishedDigest | undefined {
  const expected = args.options.get('digest');
  const position = count(args, 'position', 'a global position');
  const sequence = count(args, 'sequence', "an event's sequence in the log");
  if (expected === undefined) {
    if (position !== undefined || sequence !== undefined)
      throw new CliError('--position and --sequence go with --digest');
    return undefined;
  }
  if (!HEX64.test(expected)) throw new CliError('--digest must be 64 lowercase hex digits');
  if (position !== undefined && sequence !== undefined)
    throw new CliError('--digest is published for a --position or a --sequence, not both');
  return {
    expected,
    ...(position === undefined ? {} : { position }),
    ...(sequence === undefined ? {} : { sequence }),
  };
}

function digestVersionOption(args: CliArguments): DigestVersion {
  const version = args.options.get('digest-version');
  if (version === undefined) return DIGEST_VERSION;
  if (version !== '1' && version !== '2') throw new CliError('--digest-version must be 1 or 2');
  return version === '1' ? 1 : 2;
}

function printJson(result: LogVerification): void {
  const { digest } = result;
  const published = digest && {
    ...digest,
    position: digest.position?.toString() ?? null,
    sequence: digest.sequence?.toString() ?? null,
    actual: digest.actual ?? null,
  };
  const json = {
    ok: result.ok,
    source: result.source,
    ...chainVerificationToJson(result.chains),
    ...(published ? { publishedDigest: published } : {}),
  };
  process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
}

function printText(result: LogVerification): void {
  const { chains } = result;
  for (const failure of chains.failures) process.stdout.write(`FAIL ${describeChainFailure(failure)}\n`);
  if (chains.failureCount > chains.failures.length)
    process.stdout.write(`... and ${chains.failureCount - chains.failures.length} more failures\n`);
  if (result.digest)
    process.stdout.write(`${result.digest.matches ? 'ok' : 'FAIL'} ${result.digest.message}\n`);
  process.stdout.write(
    `${chains.verified ? 'verified' : 'NOT verified'}: ${chains.events} events in ${chains.streams} streams ` +
      `up to position ${chains.lastPosition}, ${chains.failureCount} failures; digest ${chains.digest}\n` +
      `digest version ${chains.digestVersion} through sequence ${chains.sequence}; positions ` +
      (chains.densePositions
        ? 'dense (each equals its sequence)\n'
        : 'not dense (as on EventStoreDB; on SQLite or PostgreSQL they were altered)\n'),
  );
}

export const verifyCommand: CliCommand = {
  summary:
    'recompute every hash chain of a store, a running ledger or an export file; check a published digest',
  usage: `usage: npm run ledger -- verify (FILE | --url URL --key KEY | [--data-dir DIR] [--event-store S])
                             [--digest HEX [--sequence N | --position P]] [--digest-version 1]
                             [--json] [--progress | --no-progress]

Reads the whole log in position order and recomputes, for every event, its hash and its link to the
previous event of its stream; revisions must follow one another without gaps. It counts each event's
sequence (1, 2, 3, ...) and folds the log digest, which covers every event's content, sequence and
recorded time; an export's lines carry the digest through each event, and the first line whose digest
differs is named (digest-mismatch: its recorded time, its position or an earlier event was altered).
The verification runs here, on the events themselves: with --url the log is downloaded (GET /audit/log
as NDJSON), not the server's own verdict.

  FILE               an NDJSON export (npm run ledger -- export --out FILE)
  --url URL          a running ledger, with --key KEY (or LEDGER_API_KEY) of an auditor or admin
${STORE_OPTIONS_USAGE}
  --digest HEX       a published digest (GET /audit/digest): the log digest must equal it
  --sequence N       the number of events it was published for: the same in every store
  --position P       or the global position it was published for (default: the end of the log)
  --digest-version 1 a digest published before version 2 (content and order only)
  --json             print the result as JSON

Exit code 0 when every chain holds (and the digest matches), 1 otherwise, each failure printed with
its stream, revision and event id; 2 for a usage mistake.`,
  async run(args) {
    const digest = digestOption(args);
    const digestVersion = digestVersionOption(args);
    const source = await openLogSource(args);
    const bar = new ProgressBar('verify', source.head, {
      force: args.flags.has('progress'),
      disable: args.flags.has('no-progress'),
    });
    let result: LogVerification;
    try {
      result = await verifyLog(source, {
        ...(digest ? { digest } : {}),
        digestVersion,
        onProgress: (position, head) => {
          bar.setTotal(head > position ? head : position);
          bar.update(position);
        },
      });
      bar.finish(result.chains.lastPosition);
    } finally {
      await source.close();
    }
    if (args.flags.has('json')) printJson(result);
    else printText(result);
    return result.ok ? 0 : 1;
  },
};
