import { request as httpRequest } from 'node:http';
import { ensureBuilt } from '../support/compiled';
import { KEYS } from '../support/ledger-harness';
import {
  type Command,
  commandKey,
  establishStockpiles,
  eventsByKey,
  type Exit,
  freePort,
  LedgerProcess,
  needsRetry,
  type Outcome,
  readLog,
  send,
  sleep,
  tempLedgerFolder,
  workloadCommand,
} from './ledger-process';

const CLIENTS = 32;
const SIGTERM_AFTER_ACKS = 150;
const SLOW_UPLOADS = 4;
/** How long a drain may take, and how long the clients keep trying to send during it. */
const EXIT_BOUND_MS = 10_000;

/**
 * A command whose headers and first bytes are sent now and the rest of the body on `finish()`: a request
 * the server has begun to handle and can only complete later.
 */
function slowUpload(port: number, command: Command) {
  const body = JSON.stringify(command.body);
  const request = httpRequest({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: command.path,
    agent: false,
    headers: {
      authorization: `Bearer ${KEYS[command.as].key}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'idempotency-key': command.key,
    },
  });
  const outcome = new Promise<Outcome>((resolve) => {
    request.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ kind: 'no-answer', error: error.code ?? error.message, at: Date.now() }),
    );
    request.once('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.once('end', () =>
        resolve({
          kind: 'answer',
          status: response.statusCode!,
          body: JSON.parse(text),
          contentType: response.headers['content-type'] ?? null,
          connection: response.headers.connection ?? null,
          at: Date.now(),
        }),
      );
    });
  });
  request.write(body.slice(0, 12));
  return { command, outcome, finish: () => request.end(body.slice(12)) };
}

/**
 * SIGTERM while clients keep sending commands: the server stops taking connections, answers every request
 * it has begun (also one whose body is still arriving), closes each connection after its answer, and exits
 * 0 once drained; after a restart every acknowledged command is in the log, and the others can be retried.
 */
describe('SIGTERM during concurrent commands', () => {
  const folder = tempLedgerFolder('ledger-graceful-');
  let server: LedgerProcess | undefined;

  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(async () => {
    await server?.dispose();
    folder.remove();
  });

  it('drains the requests in progress and exits 0, losing nothing that was acknowledged', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    server = LedgerProcess.start(port, folder.dataDir, folder.keysFile);
    await server.waitUntilHealthy(baseUrl);
    const stockpiles = await establishStockpiles(baseUrl, 'drain', 16);

    const slow = Array.from({ length: SLOW_UPLOADS }, (_, index) =>
      slowUpload(port, workloadCommand('slow', index, stockpiles)),
    );
    await sleep(300); // the server has read their headers: these requests are in progress

    const sent: { command: Command; outcome: Outcome }[] = [];
    let acks = 0;
    let sigtermAt = Infinity;
    let exit: Promise<Exit | undefined> | undefined;
    let next = 0;
    const client = async () => {
      while (Date.now() < sigtermAt + EXIT_BOUND_MS) {
        const command = workloadCommand('drain', next++, stockpiles);
        const outcome = await send(baseUrl, command);
        sent.push({ command, outcome });
        if (outcome.kind === 'answer' && outcome.status < 300) acks += 1;
        if (acks >= SIGTERM_AFTER_ACKS && !exit) {
          sigtermAt = Date.now();
          server!.child.kill('SIGTERM');
          exit = server!.exitWithin(EXIT_BOUND_MS);
          setTimeout(() => slow.forEach((upload) => upload.finish()), 100);
        }
        if (outcome.kind === 'no-answer') return; // the server is gone: retried after the restart
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    expect(exit).toBeDefined();
    const exitedAt = exit!.then(() => Date.now());
    expect(await exit).toEqual({ code: 0, signal: null });
    const drainMs = (await exitedAt) - sigtermAt;
    expect(drainMs).toBeLessThan(5000);

    // Every answer is a proper one, and only successes: no 5xx, no half-written response.
    const answered = sent.filter((entry) => entry.outcome.kind === 'answer');
    expect(
      answered
        .filter(
          ({ outcome }) => outcome.kind === 'answer' && (outcome.status >= 300 || !outcome.body.eventIds),
        )
        .map(({ command, outcome }) => [command.key, outcome]),
    ).toEqual([]);
    // The requests in progress at SIGTERM were answered after it, and their connections closed.
    const slowOutcomes = await Promise.all(slow.map((upload) => upload.outcome));
    for (const outcome of slowOutcomes) {
      expect(outcome).toMatchObject({ kind: 'answer', status: 200, connection: 'close' });
      expect(outcome.at).toBeGreaterThan(sigtermAt);
    }
    const unanswered = sent.filter((entry) => needsRetry(entry.outcome));

    // Nothing the server had begun lost its connection: what got no answer is not in the log, the rest
    // is there exactly once.
    const log = eventsByKey(readLog(folder.dataDir));
    const acknowledged = [
      ...answered,
      ...slow.map((upload, index) => ({ ...upload, outcome: slowOutcomes[index]! })),
    ];
    for (const { command, outcome } of acknowledged) {
      expect(log.get(commandKey(command))?.map((event) => event.eventId)).toEqual(
        outcome.kind === 'answer' ? outcome.body.eventIds : undefined,
      );
    }
    expect(unanswered.filter(({ command }) => log.has(commandKey(command))).map((e) => e.outcome)).toEqual(
      [],
    );

    // After a restart, the unanswered commands go through with their keys, and the answered ones replay.
    server = LedgerProcess.start(port, folder.dataDir, folder.keysFile);
    await server.waitUntilHealthy(baseUrl);
    for (const { command } of unanswered) {
      const outcome = await send(baseUrl, command);
      expect(outcome.kind === 'answer' && outcome.status < 300).toBe(true);
    }
    for (const { command, outcome } of acknowledged) {
      const again = await send(baseUrl, command);
      expect(again.kind === 'answer' && [again.status, again.body]).toEqual(
        outcome.kind === 'answer' && [outcome.status, outcome.body],
      );
    }
    const finalLog = eventsByKey(readLog(folder.dataDir));
    for (const { command } of [...acknowledged, ...unanswered]) {
      expect(finalLog.get(commandKey(command))).toHaveLength(1);
    }

    // An idle server stops at once, also with the clients' keep-alive connections open.
    const idleStop = Date.now();
    server.child.kill('SIGTERM');
    expect(await server.exitWithin(EXIT_BOUND_MS)).toEqual({ code: 0, signal: null });
    const idleExitMs = Date.now() - idleStop;
    expect(idleExitMs).toBeLessThan(3000);

    process.stdout.write(
      `graceful-shutdown: ${acknowledged.length} answered (${
        answered.filter(({ outcome }) => outcome.at > sigtermAt).length
      } after SIGTERM), ${unanswered.length} got no answer, exit ${drainMs} ms after SIGTERM; idle exit ${idleExitMs} ms\n`,
    );
  }, 60_000);
});
