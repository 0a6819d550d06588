import {
  envelopeFromJson,
  envelopeToJson,
  loadStoreConfig,
  openSqliteDatabase,
  readLogPages,
  type RecordedEvent,
  sqliteFileOf,
  createEventStore,
} from '@ledger/event-store';
import { once } from 'node:events';
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fstatSync,
  openSync,
  readSync,
} from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { type CliArguments, type CliCommand, CliError } from '../cli-arguments';
import { ProgressBar } from '../progress';

/** The header GET /audit/log sets: the head when the response started, where an NDJSON export ends. */
const HEAD_POSITION_HEADER = 'x-ledger-head-position';

/** The ledger's log as the CLI reads it: events in global order, whichever the source. */
export interface LogSource {
  /** where the events come from, for messages */
  label: string;
  /** the last position expected, for progress; 0n when unknown */
  head: bigint;
  events(): AsyncIterable<RecordedEvent>;
  close(): Promise<void>;
}

/** Writes with backpressure: when the buffer is full, waits for 'drain' before the next chunk. */
export async function writeChunk(out: NodeJS.WritableStream, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** `--data-dir DIR` (or LEDGER_DATA_DIR): the embedded ledger file, read page by page. */
export function dataDirSource(args: CliArguments): LogSource {
  const config = loadStoreConfig({
    ...process.env,
    ...(args.options.has('data-dir') ? { LEDGER_DATA_DIR: args.options.get('data-dir') } : {}),
  });
  const file = sqliteFileOf(config);
  if (!existsSync(file)) throw new CliError(`no ledger at ${file} (set LEDGER_DATA_DIR or --data-dir)`);
  const db = openSqliteDatabase(file);
  // the log the configuration names: this file, or EventStoreDB (LEDGER_EVENT_STORE)
  const opened = createEventStore(config, db);
  let head = 0n;
  return {
    label: file,
    get head() {
      return head;
    },
    async *events() {
      const store = await opened;
      head = await store.headPosition();
      for await (const page of readLogPages(store, { toPosition: head })) yield* page;
    },
    async close() {
      await (await opened).close();
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

/** GET /audit/log as NDJSON from a running ledger: the raw byte stream and the head it ends at. */
export async function fetchNdjsonLog(url: string, key: string): Promise<{ body: Readable; head: bigint }> {
  const target = `${url.replace(/\/+$/, '')}/audit/log`;
  let response: Response;
  try {
    response = await fetch(target, {
      headers: { accept: 'application/x-ndjson', authorization: `Bearer ${key}` },
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

/** Events from NDJSON lines; a line that is not an event stops the read, naming its number. */
export async function* parseNdjson(input: Readable, label: string): AsyncGenerator<RecordedEvent> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      if (line.trim() === '') continue;
      try {
        yield envelopeFromJson(JSON.parse(line));
      } catch (error) {
        throw new CliError(`${label}, line ${number}: ${(error as Error).message}`);
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** The position on the last line of an export file (read from its end), for progress; 0n if unknown. */
function lastPositionOfFile(file: string): bigint {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 1 << 20);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const lines = buffer.toString('utf8').trimEnd().split('\n');
    const last = lines[lines.length - 1];
    const position = last ? (JSON.parse(last) as { position?: unknown }).position : undefined;
    return typeof position === 'string' && /^\d+$/.test(position) ? BigInt(position) : 0n;
  } catch {
    return 0n;
  } finally {
    closeSync(fd);
  }
}

/** An NDJSON export file, as `export` writes it. */
export function fileSource(file: string): LogSource {
  if (!existsSync(file)) throw new CliError(`no export file ${file}`);
  return {
    label: file,
    head: lastPositionOfFile(file),
    events: () => parseNdjson(createReadStream(file), file),
    close: async () => undefined,
  };
}

/** `--url URL` with `--key KEY`: a running ledger's GET /audit/log, streamed as NDJSON. */
export async function serverSource(args: CliArguments): Promise<LogSource> {
  const url = args.options.get('url')!;
  const { body, head } = await fetchNdjsonLog(url, apiKey(args));
  return {
    label: url,
    head,
    events: () => parseNdjson(body, `${url}/audit/log`),
    close: async () => {
      body.destroy();
    },
  };
}

async function exportLog(args: CliArguments, out: NodeJS.WritableStream, bar: (head: bigint) => ProgressBar) {
  let events = 0;
  if (args.options.has('url')) {
    // The server's bytes go out as they are: what the auditor keeps is exactly what the ledger sent.
    const { body, head } = await fetchNdjsonLog(args.options.get('url')!, apiKey(args));
    const progress = bar(head);
    for await (const chunk of body as AsyncIterable<Buffer>) {
      for (const byte of chunk) if (byte === 0x0a) events += 1;
      await writeChunk(out, chunk);
      progress.update(BigInt(events));
    }
    progress.finish(BigInt(events));
    return events;
  }
  const source = dataDirSource(args);
  try {
    let progress: ProgressBar | undefined;
    let page = '';
    for await (const event of source.events()) {
      progress ??= bar(source.head);
      page += `${JSON.stringify(envelopeToJson(event))}\n`;
      events += 1;
      if (page.length >= 1 << 16) {
        await writeChunk(out, page);
        page = '';
        progress.update(event.position);
      }
    }
    if (page !== '') await writeChunk(out, page);
    progress?.finish(source.head);
    return events;
  } finally {
    await source.close();
  }
}

export const exportCommand: CliCommand = {
  summary: 'write the whole event log as NDJSON (from the data folder or a running ledger)',
  usage: `usage: npm run ledger -- export [--data-dir DIR | --url URL --key KEY] [--out FILE] [--progress | --no-progress]

Writes every event of the global log, in position order, one JSON object per line
({eventId, type, schemaVersion, streamId, revision, position, recordedAt, effectiveAt, data, metadata};
positions and revisions as strings; metadata holds prevHash and hash).

  --data-dir DIR   the embedded ledger's folder (default LEDGER_DATA_DIR, else ./data)
  --url URL        a running ledger instead, e.g. http://localhost:3000 (GET /audit/log as NDJSON)
  --key KEY        an auditor or admin API key for --url (or set LEDGER_API_KEY)
  --out FILE       write to FILE instead of standard output

The export ends at the head the log had when it started; appends after that are not in it.`,
  async run(args) {
    const file = args.options.get('out');
    const out: NodeJS.WritableStream = file ? createWriteStream(file) : process.stdout;
    const bar = (head: bigint) =>
      new ProgressBar('export', head, {
        force: args.flags.has('progress'),
        disable: args.flags.has('no-progress'),
      });
    const events = await exportLog(args, out, bar);
    if (file) {
      out.end();
      await once(out, 'finish');
      process.stderr.write(`exported ${events} events to ${file}\n`);
    }
    return 0;
  },
};
