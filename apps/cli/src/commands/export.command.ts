import {
  type DigestCheckpoint,
  GENESIS_CHECKPOINT,
  type LogEntry,
  logEntryToJson,
  nextDigestCheckpoint,
} from '@ledger/event-store';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { type CliArguments, type CliCommand } from '../cli-arguments';
import { fetchNdjsonLog, parseNdjsonLines, STORE_OPTIONS_USAGE, storeSource } from '../log-source';
import { ProgressBar } from '../progress';

/** Writes with backpressure: when the buffer is full, waits for 'drain' before the next chunk. */
export async function writeChunk(out: NodeJS.WritableStream, chunk: string | Uint8Array): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Lines gathered before a write: one write per 64 KiB rather than per event. */
const CHUNK = 1 << 16;

/**
 * Log lines with their evidence, counted and digested from the start of the log: each line says its
 * sequence and the digest (version 2) through it, so an auditor's copy shows where it was altered.
 */
class EvidenceWriter {
  private checkpoint: DigestCheckpoint = GENESIS_CHECKPOINT;
  private chunk = '';
  events = 0;

  constructor(private readonly out: NodeJS.WritableStream) {}

  /** `text`: the line as a server sent it, kept byte for byte when it carries its evidence already. */
  async add(event: LogEntry, text?: string): Promise<void> {
    this.checkpoint = nextDigestCheckpoint(this.checkpoint, event);
    const sent = text !== undefined && event.sequence !== undefined && event.digest !== undefined;
    this.chunk += sent ? `${text}\n` : `${JSON.stringify(logEntryToJson(event, this.checkpoint))}\n`;
    this.events += 1;
    if (this.chunk.length >= CHUNK) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.chunk !== '') await writeChunk(this.out, this.chunk);
    this.chunk = '';
  }
}

async function exportLog(args: CliArguments, out: NodeJS.WritableStream, bar: (head: bigint) => ProgressBar) {
  const writer = new EvidenceWriter(out);
  if (args.options.has('url')) {
    // What the server sent goes out as it is; a ledger whose log lines lack their evidence gets it added.
    const { body, head } = await fetchNdjsonLog(args);
    const progress = bar(head);
    for await (const { text, event } of parseNdjsonLines(body, `${args.options.get('url')}/audit/log`)) {
      await writer.add(event, text);
      if (writer.events % 1000 === 0) progress.update(BigInt(writer.events));
    }
    await writer.flush();
    progress.finish(BigInt(writer.events));
    return writer.events;
  }
  const source = await storeSource(args);
  try {
    let progress: ProgressBar | undefined;
    for await (const event of source.events()) {
      progress ??= bar(source.head);
      await writer.add(event);
      if (writer.events % 1000 === 0) progress.update(event.position);
    }
    await writer.flush();
    progress?.finish(source.head);
    return writer.events;
  } finally {
    await source.close();
  }
}

export const exportCommand: CliCommand = {
  summary: 'write the whole event log as NDJSON (from a store or a running ledger)',
  usage: `usage: npm run ledger -- export [--data-dir DIR] [--event-store S] [--out FILE] [--progress | --no-progress]
       npm run ledger -- export --url URL --key KEY [--out FILE]

Writes every event of the global log, in position order, one JSON object per line
({eventId, type, schemaVersion, streamId, revision, position, recordedAt, effectiveAt, data, metadata,
sequence, digest}; positions, revisions and sequences as strings; metadata holds prevHash and hash;
sequence is the event's ordinal in the log, digest the log digest (version 2) through it).

${STORE_OPTIONS_USAGE}
  --url URL          a running ledger instead, e.g. http://localhost:3000 (GET /audit/log as NDJSON)
  --key KEY          an auditor or admin API key for --url (or set LEDGER_API_KEY)
  --out FILE         write to FILE instead of standard output

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
