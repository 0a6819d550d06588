import {
  createEventStore,
  envelopeFromJson,
  type EventStore,
  type LogEntry,
  loadStoreConfig,
  openSqliteDatabase,
  readLogPages,
  readStoredLogPages,
  type StoredLogEntry,
  type SqliteDatabase,
  sqliteFileOf,
  type StoreConfig,
} from '@ledger/event-store';
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type CliArguments, CliError } from './cli-arguments';
import { parseStoreLocation, withoutPassword } from './store-location';

/**
 * Where the CLI reads the ledger's log from: an NDJSON export file, a running ledger's GET /audit/log, or
 * an event store itself (the embedded SQLite file in a data folder, or a PostgreSQL or EventStoreDB log).
 */

/** The header GET /audit/log sets: the head when the response started, where an NDJSON export ends. */
const HEAD_POSITION_HEADER = 'x-ledger-head-position';

/** The ledger's log as the CLI reads it: events in global order, whichever the source. */
export interface LogSource {
  /** where the events come from, for messages */
  label: string;
  /** the last position expected, for progress; 0n when unknown */
  head: bigint;
  /** with the sequence and digest of each line when the source is an export or a server that sends them */
  events(): AsyncIterable<LogEntry>;
  /**
   * An event store's events as it holds them (data and metadata unparsed, `readStoredLogPages`), for
   * commands that only verify or move the log: canonical text is hashed and written as it is.
   */
  storedEvents?(): AsyncIterable<LogEntry | StoredLogEntry>;
  close(): Promise<void>;
}

/** The options that name a store, for every command's usage text. */
export const STORE_OPTIONS_USAGE = `  --data-dir DIR     the embedded ledger's folder (default LEDGER_DATA_DIR, else ./data)
  --event-store S    the event store instead of LEDGER_EVENT_STORE: sqlite (the data folder's file) or
                     sqlite:DIR (another folder's), a PostgreSQL URL (postgres://...) or an EventStoreDB
                     connection string (esdb://...)`;

/**
 * The configuration a command names: the LEDGER_* variables, overridden by --data-dir and --event-store
 * (which also takes `sqlite:DIR`, the embedded ledger of another folder).
 */
export function storeConfigOf(args: CliArguments): StoreConfig {
  const location = args.options.get('event-store');
  const config = loadStoreConfig({
    ...process.env,
    ...(args.options.has('data-dir') ? { LEDGER_DATA_DIR: args.options.get('data-dir') } : {}),
    ...(location === undefined ? {} : { LEDGER_EVENT_STORE: 'sqlite' }),
  });
  return location === undefined ? config : { ...config, ...parseStoreLocation(location, config.dataDir) };
}

/** The data folder's SQLite file, which must exist already: a command never creates a ledger by mistake. */
export function openLedgerFile(config: StoreConfig): SqliteDatabase {
  const file = sqliteFileOf(config);
  if (!existsSync(file)) throw new CliError(`no ledger at ${file} (set LEDGER_DATA_DIR or --data-dir)`);
  return openSqliteDatabase(file);
}

/**
 * The event store the configuration names, read page by page up to its head when the walk starts. A
 * PostgreSQL or EventStoreDB log needs no data folder: the SQLite handle the factory takes for read models
 * is then an empty in-memory one.
 */
export async function storeSource(args: CliArguments): Promise<LogSource> {
  return storeSourceOf(storeConfigOf(args));
}

/** `storeSource` for a configuration given, not the command's: `migrate --from`. */
export async function storeSourceOf(config: StoreConfig): Promise<LogSource> {
  const embedded = config.eventStore.kind === 'sqlite';
  const db = embedded ? openLedgerFile(config) : openSqliteDatabase(':memory:');
  let store: EventStore;
  try {
    store = await createEventStore(config, db);
  } catch (error) {
    db.close();
    throw error;
  }
  const label =
    config.eventStore.kind === 'sqlite'
      ? sqliteFileOf(config)
      : withoutPassword(
          config.eventStore.kind === 'postgres' ? config.eventStore.url : config.eventStore.connectionString,
        );
  let head = 0n;
  return {
    label,
    get head() {
      return head;
    },
    async *events() {
      head = await store.headPosition();
      for await (const page of readLogPages(store, { toPosition: head })) yield* page;
    },
    async *storedEvents() {
      head = await store.headPosition();
      for await (const page of readStoredLogPages(store, { toPosition: head })) yield* page;
    },
    async close() {
      await store.close();
      db.close();
    },
  };
}

/** The API key for `--url`: `--key KEY`, or LEDGER_API_KEY (which keeps it out of the process list). */
function apiKey(args: CliArguments): string {
  const key = args.options.get('key') ?? process.env.LEDGER_API_KEY;
  if (!key) throw new CliError('--url needs an auditor or admin key: --key KEY or LEDGER_API_KEY');
  return key;
}

/** GET /audit/log as NDJSON from a running ledger (`--url`, `--key`): the byte stream and its head. */
export async function fetchNdjsonLog(args: CliArguments): Promise<{ body: Readable; head: bigint }> {
  const target = `${args.options.get('url')!.replace(/\/+$/, '')}/audit/log`;
  let response: Response;
  try {
    response = await fetch(target, {
      headers: { accept: 'application/x-ndjson', authorization: `Bearer ${apiKey(args)}` },
    });
  } catch (error) {
    throw new CliError(`cannot reach ${target}: ${(error as Error).message}`);
  }
  if (response.status !== 200 || !response.body) {
    const text = await response.text().catch(() => '');
    let detail = text.slice(0, 300);
    try {
      const problem = JSON.parse(text) as { code?: string; detail?: string; title?: string };
      detail = `${problem.code ?? ''}: ${problem.detail ?? problem.title ?? ''}`;
    } catch {
      // not a problem document; the text as it is
    }
    throw new CliError(`${target} answered ${response.status} ${detail}`);
  }
  const head = response.headers.get(HEAD_POSITION_HEADER);
  return {
    body: Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
    head: head && /^\d+$/.test(head) ? BigInt(head) : 0n,
  };
}

/** A line of NDJSON and the event it holds. */
export interface NdjsonLine {
  text: string;
  event: LogEntry;
}

/** The lines of an NDJSON log; a line that is not an event stops the read, naming its number. */
export async function* parseNdjsonLines(input: Readable, label: string): AsyncGenerator<NdjsonLine> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const text of lines) {
      number += 1;
      if (text.trim() === '') continue;
      let event: LogEntry;
      try {
        event = envelopeFromJson(JSON.parse(text));
      } catch (error) {
        throw new CliError(`${label}, line ${number}: ${(error as Error).message}`);
      }
      yield { text, event };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

async function* eventsOf(lines: AsyncIterable<NdjsonLine>): AsyncGenerator<LogEntry> {
  for await (const line of lines) yield line.event;
}

/** A decimal field of the last line of an export file (read from its end), for progress; 0n if unknown. */
function lastLineField(file: string, field: 'position' | 'sequence'): bigint {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 1 << 20);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').trimEnd().split('\n');
    const last = lines[lines.length - 1];
    const value = last ? (JSON.parse(last) as Record<string, unknown>)[field] : undefined;
    return typeof value === 'string' && /^\d+$/.test(value) ? BigInt(value) : 0n;
  } catch {
    return 0n;
  } finally {
    closeSync(fd);
  }
}

/** How many events an export file holds, from its last line's sequence, for progress; 0n if unknown. */
export const eventCountOfFile = (file: string): bigint => lastLineField(file, 'sequence');

/** An NDJSON export file, as `export` writes it. */
export function fileSource(file: string): LogSource {
  if (!existsSync(file)) throw new CliError(`no export file ${file}`);
  return {
    label: file,
    head: lastLineField(file, 'position'),
    events: () => eventsOf(parseNdjsonLines(createReadStream(file), file)),
    close: async () => undefined,
  };
}

/** `--url URL` with `--key KEY`: a running ledger's GET /audit/log, streamed as NDJSON. */
export async function serverSource(args: CliArguments): Promise<LogSource> {
  const url = args.options.get('url')!;
  const { body, head } = await fetchNdjsonLog(args);
  return {
    label: url,
    head,
    events: () => eventsOf(parseNdjsonLines(body, `${url}/audit/log`)),
    close: async () => {
      body.destroy();
    },
  };
}

/** The one log a command names: an export FILE (first positional argument), `--url`, or a store. */
export async function openLogSource(args: CliArguments): Promise<LogSource> {
  const [file, ...extra] = args.positional;
  if (extra.length > 0) throw new CliError(`one export file at most, got ${args.positional.join(' ')}`);
  const store = args.options.has('data-dir') || args.options.has('event-store');
  const chosen = [file !== undefined, args.options.has('url'), store].filter(Boolean);
  if (chosen.length !== 1)
    throw new CliError(
      'name exactly one log: an export FILE, --url URL (with --key), or a store (--data-dir DIR, --event-store S)',
    );
  if (file !== undefined) return fileSource(file);
  if (args.options.has('url')) return serverSource(args);
  return storeSource(args);
}
