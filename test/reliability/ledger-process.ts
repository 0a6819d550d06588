import { openSqliteDatabase } from '@ledger/event-store';
import Database from 'better-sqlite3';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledEntry } from '../support/compiled';
import { KEYS, type KeyHolder } from '../support/ledger-harness';

/*
 * Shared by the process-level reliability tests: the compiled API as a child process on a loopback port,
 * a client that never gives up on a command without an answer, and readers of the SQLite file itself.
 */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A port that was free a moment ago on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A data folder with the test keys; `remove()` deletes it. */
export function tempLedgerFolder(prefix: string): { dataDir: string; keysFile: string; remove(): void } {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const keysFile = join(dataDir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify(Object.values(KEYS)));
  return { dataDir, keysFile, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `node dist/apps/api/src/main.js` on a given port and data folder. */
export class LedgerProcess {
  readonly exited: Promise<Exit>;
  private output = '';

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk: Buffer) => this.remember(chunk));
    child.stderr!.on('data', (chunk: Buffer) => this.remember(chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `env` adds to the process's configuration, e.g. the stores' URLs or LEDGER_PROJECTOR. */
  static start(
    port: number,
    dataDir: string,
    keysFile: string,
    env: Record<string, string> = {},
  ): LedgerProcess {
    const child = spawn(process.execPath, compiledEntry('apps/api/src/main.js'), {
      env: {
        ...process.env,
        NO_COLOR: '1',
        PORT: String(port),
        LEDGER_DATA_DIR: dataDir,
        LEDGER_API_KEYS_FILE: keysFile,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new LedgerProcess(child);
  }

  /** `apps/projector` (health on `port`) with the stores `env` names. */
  static startProjector(port: number, dataDir: string, env: Record<string, string>): LedgerProcess {
    const child = spawn(process.execPath, compiledEntry('apps/projector/src/main.js'), {
      env: { ...process.env, NO_COLOR: '1', PROJECTOR_PORT: String(port), LEDGER_DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new LedgerProcess(child);
  }

  /** The last lines the process printed, for a failure message. */
  get log(): string {
    return this.output;
  }

  private remember(chunk: Buffer): void {
    this.output = (this.output + chunk.toString()).slice(-8000);
  }

  async waitUntilHealthy(baseUrl: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the API exited during start-up:\n${this.output}`);
      }
      try {
        const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`the API did not become healthy:\n${this.output}`);
      await sleep(50);
    }
  }

  /** Waits for the exit; after `timeoutMs` kills the process and returns undefined. */
  async exitWithin(timeoutMs: number): Promise<Exit | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const exit = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (exit === undefined) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
    return exit;
  }

  /** Ends a process left over by a failed test. */
  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

/** One command as a client sends it: always with an Idempotency-Key, retried with the same key and body. */
export interface Command {
  key: string;
  as: KeyHolder;
  path: string;
  body: Record<string, unknown>;
  streamId: string;
}

/** What one try of a command got: an HTTP answer, or a connection error (no answer at all). */
export type Outcome =
  | {
      kind: 'answer';
      status: number;
      body: any;
      contentType: string | null;
      connection: string | null;
      at: number;
    }
  | { kind: 'no-answer'; error: string; at: number };

export async function send(baseUrl: string, command: Command, timeoutMs = 15_000): Promise<Outcome> {
  try {
    const response = await fetch(`${baseUrl}${command.path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${KEYS[command.as].key}`,
        'content-type': 'application/json',
        'idempotency-key': command.key,
      },
      body: JSON.stringify(command.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text, which the assertions will show
    }
    return {
      kind: 'answer',
      status: response.status,
      body,
      contentType: response.headers.get('content-type'),
      connection: response.headers.get('connection'),
      at: Date.now(),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'no-answer', error: cause?.code ?? cause?.message ?? String(error), at: Date.now() };
  }
}

/** A 5xx or a connection error: the client cannot know whether the command happened, so it retries. */
export const needsRetry = (outcome: Outcome): boolean =>
  outcome.kind === 'no-answer' || outcome.status >= 500;

export interface StoredEvent {
  position: number;
  eventId: string;
  streamId: string;
  revision: number;
  type: string;
  actor: string;
  idempotencyKey: string | undefined;
}

/** The whole log, read from the SQLite file (read-only: a crashed server's WAL is left for it to recover). */
export function readLog(dataDir: string): StoredEvent[] {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare('SELECT position, event_id, stream_id, revision, type, metadata FROM events ORDER BY position')
      .all() as {
      position: number;
      event_id: string;
      stream_id: string;
      revision: number;
      type: string;
      metadata: string;
    }[];
    return rows.map((row) => {
      const metadata = JSON.parse(row.metadata) as { actor: { name: string }; idempotencyKey?: string };
      return {
        position: row.position,
        eventId: row.event_id,
        streamId: row.stream_id,
        revision: row.revision,
        type: row.type,
        actor: metadata.actor.name,
        idempotencyKey: metadata.idempotencyKey,
      };
    });
  } finally {
    db.close();
  }
}

/** The (actor, Idempotency-Key) records whose response is not stored: claimed, not (yet) completed. */
export function unansweredClaims(dataDir: string): Set<string> {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT actor, key FROM idempotency_keys WHERE status IS NULL').all() as {
      actor: string;
      key: string;
    }[];
    return new Set(rows.map((row) => keyOf(row.actor, row.key)));
  } finally {
    db.close();
  }
}

/**
 * Forgets the stored responses of `commands`, as if the crash had come between the commit of their events
 * and the write of their Idempotency-Key record: a retry must then be answered from the log itself.
 */
export function forgetResponses(dataDir: string, commands: Command[]): void {
  const db = openSqliteDatabase(join(dataDir, 'ledger.sqlite'));
  try {
    const forget = db.prepare(
      'UPDATE idempotency_keys SET status = NULL, response = NULL WHERE actor = ? AND key = ?',
    );
    for (const command of commands) {
      if (forget.run(KEYS[command.as].name, command.key).changes !== 1) {
        throw new Error(`no Idempotency-Key record for ${command.key}`);
      }
    }
  } finally {
    db.close();
  }
}

/** The events of each (actor, Idempotency-Key), in log order. */
export function eventsByKey(log: StoredEvent[]): Map<string, StoredEvent[]> {
  const byKey = new Map<string, StoredEvent[]>();
  for (const event of log) {
    if (event.idempotencyKey === undefined) continue;
    const id = keyOf(event.actor, event.idempotencyKey);
    byKey.set(id, [...(byKey.get(id) ?? []), event]);
  }
  return byKey;
}

export const keyOf = (actor: string, key: string) => `${actor} ${key}`;
export const commandKey = (command: Command) => keyOf(KEYS[command.as].name, command.key);

export { servedAndRebuiltReadModels } from '../support/read-models';

/** Establishes `count` stockpiles of Japan and Canada, each with a large opening lot at Yokohama. */
export async function establishStockpiles(baseUrl: string, prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
  for (const id of ids) {
    const setup: Command[] = [
      {
        key: `${id}-establish`,
        as: 'admin',
        path: '/stockpiles',
        streamId: `stockpile-${id}`,
        body: {
          id,
          name: `Reserve ${id}`,
          custodian: 'JOGMEC',
          participants: [
            { country: 'JP', sharePercent: '60' },
            { country: 'CA', sharePercent: '40' },
          ],
          effectiveAt: '2026-01-05',
        },
      },
      {
        key: `${id}-opening-lot`,
        as: 'admin',
        path: `/stockpiles/${id}/acquisitions`,
        streamId: `stockpile-${id}`,
        body: {
          lotId: 'opening',
          material: 'graphite-anode',
          quantity: { amount: '100000', unit: 't' },
          location: 'Yokohama',
          originCountry: 'CA',
          effectiveAt: '2026-01-10',
        },
      },
    ];
    for (const command of setup) {
      const outcome = await send(baseUrl, command);
      if (outcome.kind !== 'answer' || outcome.status >= 300) {
        throw new Error(`setting up ${command.path} failed: ${JSON.stringify(outcome)}`);
      }
    }
  }
  return ids;
}

const ACTORS: KeyHolder[] = ['admin', 'jogmec', 'nrcan'];
const IMPORTERS: { country: string; as: KeyHolder }[] = [
  { country: 'JP', as: 'jogmec' },
  { country: 'CA', as: 'nrcan' },
  { country: 'DE', as: 'bafa' },
  { country: 'US', as: 'admin' },
  { country: 'KR', as: 'admin' },
];
const EXPORTERS = ['CN', 'MZ', 'MG', 'BR', 'AU'];

/**
 * The `index`-th command of a mixed workload: acquisitions, releases and transfers on the stockpiles (small
 * enough never to overdraw the opening lot, in any order) and trade flows and consumption statistics of
 * five importers. Every command is valid whatever ran before it, so each one must end up accepted.
 */
export function workloadCommand(run: string, index: number, stockpiles: string[]): Command {
  const kind = index % 6;
  const key = `${run}-${index}`;
  const day = `2026-02-${String(1 + (index % 28)).padStart(2, '0')}`;
  if (kind < 4) {
    const stockpile = stockpiles[index % stockpiles.length]!;
    const as = ACTORS[index % ACTORS.length]!;
    const quantity = { amount: `${1 + (index % 9)}.${String(index % 1000).padStart(3, '0')}`, unit: 'kg' };
    const base = { material: 'graphite-anode', quantity, effectiveAt: day };
    const streamId = `stockpile-${stockpile}`;
    if (kind < 2) {
      return {
        key,
        as,
        streamId,
        path: `/stockpiles/${stockpile}/acquisitions`,
        body: { ...base, location: index % 4 ? 'Yokohama' : 'Kobe', originCountry: 'CA' },
      };
    }
    if (kind === 2) {
      return {
        key,
        as,
        streamId,
        path: `/stockpiles/${stockpile}/releases`,
        body: {
          ...base,
          location: 'Yokohama',
          recipient: 'Panasonic Energy',
          recipientCountry: 'JP',
          reason: `release ${index}`,
          authorisationRef: `METI-2026-${index}`,
        },
      };
    }
    return {
      key,
      as,
      streamId,
      path: `/stockpiles/${stockpile}/transfers`,
      body: { ...base, fromLocation: 'Yokohama', toLocation: 'Kobe' },
    };
  }
  const importer = IMPORTERS[index % IMPORTERS.length]!;
  const annualQuantity = { amount: String(1000 + index), unit: 't' };
  const year = 2000 + (index % 25);
  if (kind === 4) {
    return {
      key,
      as: importer.as,
      streamId: `supply-${importer.country}`,
      path: '/supply/trade-flows',
      body: {
        importer: importer.country,
        exporter: EXPORTERS[index % EXPORTERS.length]!,
        material: 'graphite-flake',
        year,
        annualQuantity,
        effectiveAt: '2026-03-01',
      },
    };
  }
  return {
    key,
    as: importer.as,
    streamId: `supply-${importer.country}`,
    path: '/supply/consumption',
    body: { country: importer.country, material: 'graphite-flake', year, annualQuantity },
  };
}

/** The log's head position, as /ready reports it. */
export async function headPosition(baseUrl: string): Promise<string> {
  const ready = await fetch(`${baseUrl}/ready`);
  return ((await ready.json()) as { headPosition: string }).headPosition;
}

/** Waits until every read model of the server has reached the log's head. */
export async function waitForProjections(baseUrl: string): Promise<string> {
  const head = await headPosition(baseUrl);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const response = await fetch(`${baseUrl}/inventory?minPosition=${head}`, {
      headers: { authorization: `Bearer ${KEYS.reader.key}` },
    });
    await response.text();
    if (response.status === 200) return head;
    if (Date.now() > deadline) throw new Error(`the read models did not reach ${head}`);
  }
}
