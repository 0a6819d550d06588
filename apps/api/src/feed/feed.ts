import {
  type DigestCheckpoint,
  type EventStore,
  nextDigestCheckpoint,
  readLogPages,
  type RecordedEvent,
  type Subscription,
} from '@ledger/event-store';
import type { Response } from 'express';
import { SSE_HEARTBEAT, sseMessage } from './feed-message';

/** Text written to the socket at a time, at most (give or take one message): the unit of backpressure. */
const CHUNK_CHARS = 16 * 1024;

/** One write to a feed's response, as a test (or a metric) sees it. */
export interface FeedWrite {
  /** the bytes of this write */
  writtenBytes: number;
  /** bytes written to the response that the client has not taken yet (the socket's buffer included) */
  bufferedBytes: number;
  /** whether the feed now waits for the client to take them before it reads the log further */
  waiting: boolean;
}

export interface FeedOptions {
  /** exclusive: the feed starts strictly after this global position */
  after: bigint;
  /** the log's sequence and digest through `after`: every message carries them through its event */
  evidence: DigestCheckpoint;
  accepts(event: RecordedEvent): boolean;
  heartbeatMs: number;
  /** events read from the store at a time: with one chunk, all the feed holds in memory */
  pageSize: number;
  /** after every write: what was written, and what the response holds that the client has not taken yet */
  onWritten?(sample: FeedWrite): void;
  onError?(message: string): void;
}

/**
 * One client's feed: the log after a position, read a page at a time through the event store port (the
 * catch-up), then followed with `subscribeToAll` (live), as the projector follows it. A chunk is written
 * only once the client has taken the one before (`drain`): a client that stops reading stops the reading
 * of the log, and the server holds at most a page and a chunk for it, never the events appended meanwhile.
 */
export class Feed {
  private closed = false;
  private shuttingDown = false;
  /** wakes a write waiting for `drain`, and the live phase waiting for the end */
  private wake: (() => void) | undefined;
  private endLive: (() => void) | undefined;
  private subscription: Subscription | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** the running digest through the last event read, filtered out or not: the digest covers the whole log */
  private evidence: DigestCheckpoint;

  constructor(
    private readonly store: EventStore,
    private readonly response: Response,
    private readonly options: FeedOptions,
  ) {
    this.evidence = options.evidence;
    response.on('drain', () => this.wake?.());
    // the client went away (or the connection broke): stop reading the log for it
    response.on('close', () => this.close());
  }

  async run(): Promise<void> {
    this.response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // a reverse proxy that buffers responses would hold the events back
      'X-Accel-Buffering': 'no',
    });
    this.response.flushHeaders();
    this.heartbeat = setInterval(() => {
      // a client that is not reading needs no keep-alive, and must not be sent more
      if (!this.closed && !this.response.writableNeedDrain) this.response.write(SSE_HEARTBEAT);
    }, this.options.heartbeatMs);
    try {
      let position = this.options.after;
      for await (const page of readLogPages(this.store, {
        fromPosition: position,
        pageSize: this.options.pageSize,
      })) {
        if (this.closed) return;
        await this.send(page);
        position = page[page.length - 1]!.position;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.endLive = resolve;
        this.subscription = this.store.subscribeToAll({
          fromPosition: position,
          batchSize: this.options.pageSize,
          onEvents: (events) => this.send(events),
          onError: (error, retrying) => {
            // a store that refuses for good ends the feed; the client resumes elsewhere or later
            if (!retrying) {
              this.options.onError?.(`the feed's subscription stopped: ${describe(error)}`);
              this.close();
            }
          },
        });
        if (this.closed) resolve();
      });
    } catch (error) {
      // the store failed while catching up: the client reconnects with Last-Event-ID and loses nothing
      this.options.onError?.(`the feed stopped reading the log: ${describe(error)}`);
    } finally {
      this.close();
      await this.subscription?.stop();
      this.end();
    }
  }

  /** Ends the feed: the client went away, the store gave up, or the server shuts down. */
  close(options: { shutdown?: boolean } = {}): void {
    if (options.shutdown) this.shuttingDown = true;
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.wake?.();
    this.endLive?.();
  }

  private end(): void {
    const response = this.response;
    if (response.destroyed || response.writableEnded) return;
    if (!this.shuttingDown) {
      response.end();
      return;
    }
    // On shutdown nothing may wait for the client, or the drain would wait with it. What the kernel took
    // it still delivers once the connection is closed; a client that stopped reading leaves the end (and
    // what it did not take) in the server's buffer: it is cut off, and resumes with Last-Event-ID.
    const socket = response.socket;
    response.end();
    if (response.writableLength > 0) response.destroy();
    else response.once('finish', () => socket?.destroy());
  }

  private async send(events: readonly RecordedEvent[]): Promise<void> {
    let chunk = '';
    for (const event of events) {
      if (this.closed) return;
      this.evidence = nextDigestCheckpoint(this.evidence, event);
      if (!this.options.accepts(event)) continue;
      chunk += sseMessage(event, this.evidence);
      if (chunk.length >= CHUNK_CHARS) {
        await this.write(chunk);
        chunk = '';
      }
    }
    if (chunk !== '') await this.write(chunk);
  }

  private async write(chunk: string): Promise<void> {
    if (this.closed) return;
    const flowing = this.response.write(chunk);
    this.options.onWritten?.({
      writtenBytes: Buffer.byteLength(chunk),
      bufferedBytes: this.response.writableLength,
      waiting: !flowing,
    });
    if (flowing) return;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      if (this.closed || !this.response.writableNeedDrain) resolve();
    });
    this.wake = undefined;
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
