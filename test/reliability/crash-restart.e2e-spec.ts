import { ensureBuilt } from '../support/compiled';
import { KEYS } from '../support/ledger-harness';
import {
  type Command,
  commandKey,
  establishStockpiles,
  eventsByKey,
  forgetResponses,
  freePort,
  headPosition,
  LedgerProcess,
  needsRetry,
  type Outcome,
  readLog,
  send,
  servedAndRebuiltReadModels,
  sleep,
  type StoredEvent,
  tempLedgerFolder,
  unansweredClaims,
  waitForProjections,
  workloadCommand,
} from './ledger-process';

const COMMANDS = 360;
const IN_FLIGHT = 24;
/** SIGKILL once this many commands have been acknowledged, each time with the rest still in flight. */
const KILL_AFTER_ACKS = [60, 150, 250];
const DEADLINE_MS = 60_000;
const FORGOTTEN_RESPONSES = 10;

interface Tracked {
  command: Command;
  outcomes: Outcome[];
  /** the first 2xx the client got */
  acknowledged?: { status: number; body: any };
}

/**
 * SIGKILL of the API in the middle of concurrent commands, restart on the same data, and clients that
 * retry every command without an answer with the same Idempotency-Key and body until it is answered.
 */
describe('The API killed (SIGKILL) during concurrent commands', () => {
  const folder = tempLedgerFolder('ledger-crash-restart-');
  let server: LedgerProcess | undefined;

  beforeAll(() => ensureBuilt(), 120_000);
  afterAll(async () => {
    await server?.dispose();
    folder.remove();
  });

  it('keeps every acknowledged command exactly once, answers retries alike, and projects the log faithfully', async () => {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const start = () => (server = LedgerProcess.start(port, folder.dataDir, folder.keysFile));
    await start().waitUntilHealthy(baseUrl);
    const stockpiles = await establishStockpiles(baseUrl, 'crash', 8);
    const tracked: Tracked[] = Array.from({ length: COMMANDS }, (_, index) => ({
      command: workloadCommand('crash', index, stockpiles),
      outcomes: [],
    }));

    // The log as each crash left it, read from the file before the restart.
    const crashes: {
      acknowledgedBefore: Set<Tracked>;
      log: Map<string, StoredEvent[]>;
      /** commands in the log whose Idempotency-Key record has no response: answered from the log on retry */
      unrecorded: Set<string>;
    }[] = [];
    /** Acknowledged commands whose recorded responses the first crash is made to lose. */
    let forgotten: Tracked[] = [];
    let acks = 0;
    let killing: Promise<void> | undefined;
    const killAndRestart = async () => {
      const acknowledgedBefore = new Set(tracked.filter((entry) => entry.acknowledged));
      server!.child.kill('SIGKILL');
      await server!.exited;
      const log = eventsByKey(readLog(folder.dataDir));
      const unrecorded = new Set([...unansweredClaims(folder.dataDir)].filter((key) => log.has(key)));
      if (crashes.length === 0) {
        // The window between an append's commit and its key record's write is short for SIGKILL to hit:
        // widen it for a few commands, whose retries must then be answered from their events alone. (This
        // first crash's WAL is thereby recovered here; the server recovers the later ones itself.)
        forgotten = [...acknowledgedBefore].slice(0, FORGOTTEN_RESPONSES);
        forgetResponses(
          folder.dataDir,
          forgotten.map((entry) => entry.command),
        );
      }
      crashes.push({ acknowledgedBefore, log, unrecorded });
      start(); // the clients keep retrying until it listens
    };

    const deadline = Date.now() + DEADLINE_MS;
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < COMMANDS; index = next++) {
        const entry = tracked[index]!;
        for (;;) {
          const outcome = await send(baseUrl, entry.command);
          entry.outcomes.push(outcome);
          if (!needsRetry(outcome)) {
            if (outcome.kind === 'answer' && outcome.status < 300) {
              entry.acknowledged = { status: outcome.status, body: outcome.body };
              acks += 1;
              if (!killing && acks >= (KILL_AFTER_ACKS[crashes.length] ?? Infinity)) {
                killing = killAndRestart().finally(() => (killing = undefined));
              }
            }
            break;
          }
          if (Date.now() > deadline) throw new Error(`${entry.command.key} got no answer in time`);
          await sleep(20);
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    await killing;
    expect(crashes).toHaveLength(KILL_AFTER_ACKS.length);

    // Every command was answered in the end, and only with success: the workload is valid in any order.
    const refused = tracked.filter((entry) => !entry.acknowledged);
    expect(refused.map((entry) => [entry.command.key, entry.outcomes.at(-1)])).toEqual([]);

    // At each crash, everything acknowledged before it was already in the log, and nothing twice.
    for (const crash of crashes) {
      for (const entry of crash.acknowledgedBefore) {
        expect(crash.log.get(commandKey(entry.command))?.map((event) => event.eventId)).toEqual(
          entry.acknowledged!.body.eventIds,
        );
      }
    }

    // A command in the log at a crash whose answer was lost: the retry answers with what the log holds.
    const lostAnswers = tracked.filter((entry) =>
      crashes.some(
        (crash) => !crash.acknowledgedBefore.has(entry) && crash.log.has(commandKey(entry.command)),
      ),
    );
    for (const entry of lostAnswers) {
      const crash = crashes.find((c) => c.log.has(commandKey(entry.command)))!;
      const stored = crash.log.get(commandKey(entry.command))!;
      expect(entry.acknowledged!.body).toEqual({
        streamId: entry.command.streamId,
        revision: String(stored.at(-1)!.revision),
        position: String(stored.at(-1)!.position),
        eventIds: stored.map((event) => event.eventId),
      });
    }

    // Retried once more on the last server: every answer equals the first one, and nothing is appended.
    const headBefore = await headPosition(baseUrl);
    const again: Outcome[] = [];
    next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        for (let index = next++; index < COMMANDS; index = next++) {
          again[index] = await send(baseUrl, tracked[index]!.command);
        }
      }),
    );
    expect(
      tracked
        .map((entry, index) => ({ key: entry.command.key, first: entry.acknowledged, again: again[index] }))
        .filter(({ first, again }) => again?.kind !== 'answer' || again.status !== first?.status)
        .map(({ key, again }) => [key, again]),
    ).toEqual([]);
    expect(again.map((outcome) => (outcome.kind === 'answer' ? outcome.body : undefined))).toEqual(
      tracked.map((entry) => entry.acknowledged!.body),
    );
    expect(await headPosition(baseUrl)).toBe(headBefore);

    // The hash chains hold across the crashes.
    const verify = await fetch(`${baseUrl}/audit/verify`, {
      headers: { authorization: `Bearer ${KEYS.auditor.key}` },
    });
    expect(await verify.json()).toMatchObject({ verified: true, failures: [] });

    await waitForProjections(baseUrl);
    server!.child.kill('SIGTERM');
    expect(await server!.exitWithin(10_000)).toEqual({ code: 0, signal: null });

    // The log holds each command exactly once: its own events, with the ids and positions it was answered.
    const log = readLog(folder.dataDir);
    const byKey = eventsByKey(log);
    for (const entry of tracked) {
      const stored = byKey.get(commandKey(entry.command)) ?? [];
      expect({ key: entry.command.key, eventIds: stored.map((event) => event.eventId) }).toEqual({
        key: entry.command.key,
        eventIds: entry.acknowledged!.body.eventIds,
      });
      expect(stored.every((event) => event.streamId === entry.command.streamId)).toBe(true);
      expect(String(stored.at(-1)!.position)).toBe(entry.acknowledged!.body.position);
    }
    const setupEvents = stockpiles.length * 2;
    expect(log).toHaveLength(setupEvents + COMMANDS);
    expect(new Set(log.map((event) => event.eventId)).size).toBe(log.length);

    // The read models the server kept through the crashes equal a rebuild from scratch of the same log.
    const { served, rebuilt } = await servedAndRebuiltReadModels(folder.dataDir);
    expect(served.checkpoints).toEqual(rebuilt.checkpoints);
    for (const table of Object.keys(rebuilt.tables)) {
      expect({ table, rows: served.tables[table] }).toEqual({ table, rows: rebuilt.tables[table] });
    }
    expect(rebuilt.tables.inventory_movements!.length).toBeGreaterThan(COMMANDS / 2);

    expect(forgotten).toHaveLength(FORGOTTEN_RESPONSES);
    const retried = tracked.filter((entry) => entry.outcomes.length > 1).length;
    expect(retried).toBeGreaterThanOrEqual(crashes.length); // each kill cut off commands in flight
    const made = new Set(forgotten.map((entry) => commandKey(entry.command)));
    const unrecorded = new Set(crashes.flatMap((crash) => [...crash.unrecorded].filter((k) => !made.has(k))));
    process.stdout.write(
      `crash-restart: ${COMMANDS} commands, ${crashes.length} SIGKILLs, ${retried} retried, ` +
        `${lostAnswers.length} committed with the answer lost, ${unrecorded.size} of them before their key ` +
        `record was written (+${FORGOTTEN_RESPONSES} made so)\n`,
    );
  }, 90_000);
});
