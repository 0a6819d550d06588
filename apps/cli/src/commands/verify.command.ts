import {
  type ChainFailure,
  chainVerificationToJson,
  type ChainVerification,
  ChainVerifier,
} from '@ledger/event-store';
import { type CliArguments, type CliCommand, CliError } from '../cli-arguments';
import { ProgressBar } from '../progress';
import { dataDirSource, fileSource, type LogSource, serverSource } from './export.command';

const HEX64 = /^[0-9a-f]{64}$/;
const POSITION = /^(0|[1-9][0-9]{0,18})$/;

export interface DigestCheck {
  /** the published digest */
  expected: string;
  /** the position it was published for; undefined: the end of the log */
  position: bigint | undefined;
  /** what the log gives at that position; undefined when the log does not reach it */
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
  digest?: { expected: string; position?: bigint };
  onProgress?: (position: bigint, head: bigint) => void;
}

/**
 * Recomputes every hash chain of the log, here, from the events themselves (a server's own verdict is
 * not taken on trust), and compares the log digest with a published one when given.
 */
export async function verifyLog(source: LogSource, options: VerifyLogOptions = {}): Promise<LogVerification> {
  const verifier = new ChainVerifier();
  const cut = options.digest?.position;
  let atCut: string | undefined;
  for await (const event of source.events()) {
    if (cut !== undefined && atCut === undefined && event.position > cut) atCut = verifier.digest;
    verifier.add(event);
    if (verifier.events % 1000 === 0) options.onProgress?.(event.position, source.head);
  }
  options.onProgress?.(verifier.lastPosition, source.head);
  const chains = verifier.result();
  if (cut !== undefined && atCut === undefined && chains.lastPosition >= cut) atCut = chains.digest;
  if (cut === undefined) atCut = chains.digest;

  let digest: DigestCheck | undefined;
  if (options.digest) {
    const { expected } = options.digest;
    const where =
      cut === undefined ? `the end of the log (position ${chains.lastPosition})` : `position ${cut}`;
    digest =
      atCut === undefined
        ? {
            expected,
            position: cut,
            actual: undefined,
            matches: false,
            message: `the log ends at position ${chains.lastPosition}, before the published position ${cut}: events were removed`,
          }
        : {
            expected,
            position: cut,
            actual: atCut,
            matches: atCut === expected,
            message:
              atCut === expected
                ? `the digest at ${where} matches the published one`
                : `the digest at ${where} is ${atCut}, not the published ${expected}: the log up to there was altered`,
          };
  }
  return {
    source: source.label,
    chains,
    ...(digest ? { digest } : {}),
    ok: chains.verified && (digest?.matches ?? true),
  };
}

export const describeFailure = (failure: ChainFailure): string =>
  `${failure.kind}: stream ${failure.streamId} revision ${failure.revision} event ${failure.eventId} ` +
  `(position ${failure.position}): ${failure.message}`;

async function openSource(args: CliArguments): Promise<LogSource> {
  const [file, ...extra] = args.positional;
  if (extra.length > 0) throw new CliError(`one export file at most, got ${args.positional.join(' ')}`);
  const chosen = [file !== undefined, args.options.has('url'), args.options.has('data-dir')].filter(Boolean);
  if (chosen.length !== 1)
    throw new CliError('name exactly one log: an export FILE, --url URL (with --key) or --data-dir DIR');
  if (file !== undefined) return fileSource(file);
  if (args.options.has('url')) return serverSource(args);
  return dataDirSource(args);
}

function digestOption(args: CliArguments): VerifyLogOptions['digest'] {
  const expected = args.options.get('digest');
  const position = args.options.get('position');
  if (expected === undefined) {
    if (position !== undefined) throw new CliError('--position goes with --digest');
    return undefined;
  }
  if (!HEX64.test(expected)) throw new CliError('--digest must be 64 lowercase hex digits');
  if (position !== undefined && !POSITION.test(position))
    throw new CliError('--position must be a global position (a non-negative integer)');
  return { expected, ...(position === undefined ? {} : { position: BigInt(position) }) };
}

export const verifyCommand: CliCommand = {
  summary: 'recompute every hash chain of a running ledger or an export file; check a published digest',
  usage: `usage: npm run ledger -- verify (FILE | --url URL --key KEY | --data-dir DIR)
                             [--digest HEX [--position P]] [--json] [--progress | --no-progress]

Reads the whole log in position order and recomputes, for every event, its hash and its link to the
previous event of its stream; revisions must follow one another without gaps. The verification runs
here, on the events themselves: with --url the log is downloaded (GET /audit/log as NDJSON), not the
server's own verdict.

  FILE             an NDJSON export (npm run ledger -- export --out FILE)
  --url URL        a running ledger, with --key KEY (or LEDGER_API_KEY) of an auditor or admin
  --data-dir DIR   the embedded ledger's folder
  --digest HEX     a published digest (GET /audit/digest): the log digest must equal it
  --position P     the position the digest was published for (default: the end of the log)
  --json           print the result as JSON

Exit code 0 when every chain holds (and the digest matches), 1 otherwise, each failure printed with
its stream, revision and event id; 2 for a usage mistake.`,
  async run(args) {
    const digest = digestOption(args);
    const source = await openSource(args);
    const bar = new ProgressBar('verify', source.head, {
      force: args.flags.has('progress'),
      disable: args.flags.has('no-progress'),
    });
    let result: LogVerification;
    try {
      result = await verifyLog(source, {
        ...(digest ? { digest } : {}),
        onProgress: (position, head) => {
          bar.setTotal(head > position ? head : position);
          bar.update(position);
        },
      });
      bar.finish(result.chains.lastPosition);
    } finally {
      await source.close();
    }
    if (args.flags.has('json')) {
      process.stdout.write(
        `${JSON.stringify(
          {
            ok: result.ok,
            source: result.source,
            ...chainVerificationToJson(result.chains),
            ...(result.digest
              ? {
                  publishedDigest: {
                    ...result.digest,
                    position: result.digest.position?.toString() ?? null,
                    actual: result.digest.actual ?? null,
                  },
                }
              : {}),
          },
          null,
          2,
        )}\n`,
      );
      return result.ok ? 0 : 1;
    }
    const { chains } = result;
    for (const failure of chains.failures) process.stdout.write(`FAIL ${describeFailure(failure)}\n`);
    if (chains.failureCount > chains.failures.length)
      process.stdout.write(`... and ${chains.failureCount - chains.failures.length} more failures\n`);
    if (result.digest)
      process.stdout.write(`${result.digest.matches ? 'ok' : 'FAIL'} ${result.digest.message}\n`);
    process.stdout.write(
      `${chains.verified ? 'verified' : 'NOT verified'}: ${chains.events} events in ${chains.streams} streams ` +
        `up to position ${chains.lastPosition}, ${chains.failureCount} failures; digest ${chains.digest}\n`,
    );
    return result.ok ? 0 : 1;
  },
};
