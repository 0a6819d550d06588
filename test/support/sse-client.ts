import { type ClientRequest, type IncomingMessage, request as httpRequest } from 'node:http';
import { KEYS, type KeyHolder } from './ledger-harness';

/** One Server-Sent Events message as a browser's EventSource would hand it over. */
export interface SseMessage {
  id: string;
  event: string;
  data: any;
}

/**
 * A feed client over plain node:http, as a projection service would hold one: it parses the stream as it
 * arrives (text/event-stream framing, comments counted) and lets a test wait for what it expects.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  comments = 0;
  status = 0;
  headers: IncomingMessage['headers'] = {};
  /** the body of a refusal (problem+json), when the status is not 200 */
  body = '';
  ended = false;
  private buffer = '';
  private readonly waiters = new Set<() => void>();
  private response: IncomingMessage | undefined;

  private constructor(private readonly request: ClientRequest) {}

  /** Opens `path` (e.g. `/feed?fromPosition=3`) and resolves once the response headers arrived. */
  static open(
    baseUrl: string,
    path: string,
    /** `as: null` sends no key */
    options: { as?: KeyHolder | null; headers?: Record<string, string> } = {},
  ): Promise<SseClient> {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...options.headers };
    const as = options.as === undefined ? 'reader' : options.as;
    if (as) headers.authorization = `Bearer ${KEYS[as].key}`;
    const url = new URL(path, baseUrl);
    return new Promise((resolve, reject) => {
      const request = httpRequest(url, { headers, agent: false });
      const client = new SseClient(request);
      request.once('error', (error) => {
        client.finish();
        if (client.status === 0) reject(error);
      });
      request.once('response', (response) => {
        client.response = response;
        client.status = response.statusCode ?? 0;
        client.headers = response.headers;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => client.receive(chunk));
        response.once('end', () => client.finish());
        response.once('close', () => client.finish());
        if (client.status === 200) resolve(client);
        else response.once('end', () => resolve(client));
      });
      request.end();
    });
  }

  get ids(): string[] {
    return this.messages.map((message) => message.id);
  }

  get lastId(): string | undefined {
    return this.messages[this.messages.length - 1]?.id;
  }

  /** Resolves once `condition` holds; rejects if the stream ends first. */
  until(condition: (client: this) => boolean, what = 'the condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (condition(this)) {
          this.waiters.delete(check);
          resolve();
        } else if (this.ended) {
          this.waiters.delete(check);
          reject(new Error(`the feed ended before ${what}; got ${this.messages.length} messages`));
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  untilMessages(count: number): Promise<void> {
    return this.until((client) => client.messages.length >= count, `${count} messages`);
  }

  untilId(id: string): Promise<void> {
    return this.until((client) => client.ids.includes(id), `message ${id}`);
  }

  /** Resolves when the server ends the stream (or the connection breaks). */
  untilEnded(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.ended) {
          this.waiters.delete(check);
          resolve();
        }
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Stops taking data from the socket: the server's writes back up (TCP backpressure). */
  pause(): void {
    this.response?.pause();
  }

  resume(): void {
    this.response?.resume();
  }

  /** Drops the connection, as a crashed or disconnected consumer would. */
  close(): void {
    this.request.destroy();
    this.finish();
  }

  private receive(chunk: string): void {
    if (this.status !== 200) {
      this.body += chunk;
      return;
    }
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const message: Partial<SseMessage> = {};
      let data: string[] | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments += 1;
          continue;
        }
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'id') message.id = value;
        else if (field === 'event') message.event = value;
        else if (field === 'data') (data ??= []).push(value);
      }
      if (data !== undefined) {
        this.messages.push({
          id: message.id ?? '',
          event: message.event ?? 'message',
          data: JSON.parse(data.join('\n')),
        });
      }
    }
    this.notify();
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
