import type { FeedWrite } from '../apps/api/src/feed/feed';
import { FeedService } from '../apps/api/src/feed/feed.service';
import { expectFieldRefused } from './support/command-checks';
import { asMessages, auditLog, feedScenarios, LogWriter } from './support/feed-scenarios';
import { LedgerHarness } from './support/ledger-harness';
import { SseClient } from './support/sse-client';

feedScenarios('The feed over HTTP');

describe('The feed over HTTP, on the embedded store', () => {
  let ledger: LedgerHarness;
  const open: SseClient[] = [];
  const feed = async (path: string, options: Parameters<typeof SseClient.open>[2] = {}) => {
    const client = await SseClient.open(ledger.baseUrl, path, options);
    open.push(client);
    return client;
  };

  beforeEach(async () => {
    ledger = await LedgerHarness.start({ LEDGER_FEED_HEARTBEAT_MS: '25' });
  });
  afterEach(async () => {
    open.splice(0).forEach((client) => client.close());
    await ledger.stop();
  });

  it('is for readers, auditors and admins: 401 without a key, 403 for a recorder', async () => {
    const anonymous = await feed('/feed', { as: null });
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.body)).toMatchObject({ code: 'unauthorized' });
    const unknown = await feed('/feed', { as: null, headers: { authorization: 'Bearer nobody-00000' } });
    expect(unknown.status).toBe(401);
    const recorder = await feed('/feed', { as: 'jogmec' });
    expect(recorder.status).toBe(403);
    expect(JSON.parse(recorder.body)).toMatchObject({ code: 'forbidden' });
    for (const as of ['reader', 'auditor', 'admin'] as const) {
      expect((await feed('/feed', { as })).status).toBe(200);
    }
  });

  it('refuses a position, an event type or a category it does not know, naming the field', async () => {
    expectFieldRefused(await ledger.get('/feed?fromPosition=-1'), 'fromPosition');
    expectFieldRefused(await ledger.get('/feed?fromPosition=abc'), 'fromPosition');
    expectFieldRefused(await ledger.get('/feed?types=StockpileAcquired,StockpileStolen'), 'types');
    expectFieldRefused(await ledger.get('/feed?types='), 'types');
    expectFieldRefused(await ledger.get('/feed?categories=stockpiles'), 'categories');
    expectFieldRefused(await ledger.get('/feed?category=stockpile'), 'category');
    expectFieldRefused(
      await ledger.get('/feed', 'reader', { 'last-event-id': 'yesterday' }),
      'Last-Event-ID',
    );
  });

  it('sends a comment line on an idle connection at the configured interval', async () => {
    const idle = await feed('/feed');
    await idle.until((client) => client.comments >= 2, 'two heartbeats');
    expect(idle.messages).toEqual([]);
  });

  it('holds back a consumer that stops reading with TCP backpressure, buffering a bounded amount, and cuts it off on shutdown', async () => {
    const writes: FeedWrite[] = [];
    let onWrite = () => undefined as void;
    const stopObserving = ledger.service(FeedService).observe((write) => {
      writes.push(write);
      onWrite();
    });
    /** resolves once the feed's last write says it waits for the consumer */
    const untilWaiting = () =>
      new Promise<void>((resolve) => {
        onWrite = () => {
          if (writes[writes.length - 1]?.waiting) resolve();
        };
        onWrite();
      });
    const stalled = await feed('/feed');
    stalled.pause();
    // Events of about 3.5 kB each (200-character texts in a script of 3 bytes a character): 2,000 of them
    // make 7 MB, more than the loopback connection's kernel buffers take (about 4 MB here).
    const text = (what: string, n: number) => `${what}-${String(n).padStart(6, '0')}-${'蔵'.repeat(180)}`;
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      const stockpileId = `reserve-${writer}`;
      const as = async (path: string, body: Record<string, unknown>, key: string) => {
        const response = await ledger.post(path, body, 'admin', {
          'idempotency-key': `${key}-${'k'.repeat(200)}`,
          'x-correlation-id': `${key}-${'c'.repeat(100)}`,
        });
        if (response.status >= 300) throw new Error(`${path}: ${response.status} ${response.text}`);
      };
      await as(
        '/stockpiles',
        {
          id: stockpileId,
          name: text('reserve', writer),
          custodian: text('custodian', writer),
          participants: [{ country: 'JP', sharePercent: '100' }],
          effectiveAt: '2026-01-05',
        },
        `${stockpileId}-establish`,
      );
      const location = text('vault', writer);
      const movement = { material: 'gallium', location, effectiveAt: '2026-01-10' };
      await as(
        `/stockpiles/${stockpileId}/acquisitions`,
        { ...movement, quantity: { amount: '1000', unit: 't' }, originCountry: 'CA' },
        `${stockpileId}-opening`,
      );
      for (let n = 0; n < 248; n++) {
        await as(
          `/stockpiles/${stockpileId}/releases`,
          {
            ...movement,
            quantity: { amount: '1', unit: 'kg' },
            recipient: text('recipient', n),
            recipientCountry: 'JP',
            reason: text('reason', n),
            authorisationRef: text('licence', n),
          },
          `${stockpileId}-release-${n}`,
        );
      }
    });
    await Promise.all(writers);
    const events = await auditLog(ledger);
    const logBytes = events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0);
    expect(logBytes).toBeGreaterThan(6_000_000);

    // The server stopped writing for the consumer well before the end of the log, and never held more than
    // a chunk of 16 KiB and the socket's high-water mark beyond what the socket took.
    await untilWaiting();
    const written = writes.reduce((sum, write) => sum + write.writtenBytes, 0);
    expect(written).toBeLessThan(logBytes);
    const peak = Math.max(...writes.map((write) => write.bufferedBytes));
    expect(peak).toBeLessThan(64 * 1024);
    stopObserving();
    process.stdout.write(
      `feed backpressure: ${written} of ${logBytes} bytes written to the stalled consumer; at most ${peak} buffered\n`,
    );

    // A restart does not wait for the stalled consumer: its connection is cut. It gets what the kernel
    // buffers held, reconnects with Last-Event-ID, and then has every event, in order, none twice.
    await ledger.restart();
    stalled.resume();
    await stalled.untilEnded();
    expect(stalled.messages.length).toBeLessThan(events.length);
    const rest = await feed('/feed', { headers: { 'last-event-id': stalled.lastId! } });
    await rest.untilId(events[events.length - 1].position);
    const received = [...stalled.messages, ...rest.messages];
    expect(received.map((message) => message.id)).toEqual(events.map((event) => event.position));
    expect(received).toEqual(asMessages(events));
  }, 120_000);

  it('ends the open feeds when the app closes, whether their consumers read or not', async () => {
    const log = new LogWriter(ledger);
    await log.establish('ca-jp');
    const reading = await feed('/feed');
    const stalled = await feed('/feed');
    stalled.pause();
    await reading.untilMessages(1);
    await ledger.stop();
    await reading.untilEnded();
    stalled.resume();
    await stalled.untilEnded();
    expect(reading.ids).toEqual(['1']);
    // a new ledger for afterEach to stop
    ledger = await LedgerHarness.start();
  });
});
