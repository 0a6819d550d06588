import { CN_GALLIUM_LICENSING } from '../../libs/domain/src/testing/export-measures';
import { LedgerHarness } from './ledger-harness';
import { type SseMessage, SseClient } from './sse-client';

/** What a run of the scenarios needs besides a ledger: e.g. an event store server and its address. */
export interface FeedScenarioSetup {
  /** environment added to the ledger's, e.g. `{ LEDGER_EVENT_STORE: 'esdb://...' }` */
  env: Record<string, string>;
  teardown?(): Promise<void>;
}

/** Appends the events the scenarios read: a stockpile with lots, supply statistics, a measure. */
export class LogWriter {
  constructor(private readonly ledger: LedgerHarness) {}

  private async post(path: string, body: unknown): Promise<string> {
    const response = await this.ledger.post(path, body);
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${response.text}`);
    return response.body.position;
  }

  establish(stockpileId: string): Promise<string> {
    return this.post('/stockpiles', {
      id: stockpileId,
      name: `Reserve ${stockpileId}`,
      custodian: 'JOGMEC',
      participants: [{ country: 'JP', sharePercent: '100' }],
      effectiveAt: '2026-01-05',
    });
  }

  acquire(stockpileId: string, lotId: string): Promise<string> {
    return this.post(`/stockpiles/${stockpileId}/acquisitions`, {
      lotId,
      material: 'gallium',
      quantity: { amount: '1.5', unit: 't' },
      location: 'Tsukuba',
      originCountry: 'CA',
      effectiveAt: '2026-01-10',
    });
  }

  tradeFlow(year: number): Promise<string> {
    return this.post('/supply/trade-flows', {
      importer: 'JP',
      exporter: 'CN',
      material: 'gallium',
      year,
      annualQuantity: { amount: '75', unit: 't' },
    });
  }

  /** China's licensing of 2023, on gallium alone, under the id given. */
  restriction(id: string): Promise<string> {
    return this.post('/export-restrictions', { ...CN_GALLIUM_LICENSING, id, materials: ['gallium'] });
  }
}

/** The whole log as GET /audit/log gives it: what every feed message must match, id and data. */
export async function auditLog(ledger: LedgerHarness): Promise<any[]> {
  const response = await ledger.get('/audit/log?limit=10000', 'auditor');
  return response.body.events;
}

export const asMessages = (events: any[]): SseMessage[] =>
  events.map((event) => ({ id: event.position, event: event.type, data: event }));

/**
 * The feed over HTTP, as a projection service reads it; run once per event store (feed.e2e-spec.ts on the
 * embedded store, postgres.e2e-spec.ts and esdb.e2e-spec.ts on the others), since each store follows its
 * log its own way.
 */
export function feedScenarios(
  title: string,
  setUp: () => Promise<FeedScenarioSetup> = async () => ({ env: {} }),
): void {
  describe(title, () => {
    let ledger: LedgerHarness;
    let setup: FeedScenarioSetup;
    let log: LogWriter;
    const open: SseClient[] = [];
    const feed = async (path: string, headers?: Record<string, string>) => {
      const client = await SseClient.open(ledger.baseUrl, path, headers ? { headers } : {});
      open.push(client);
      expect(client.status).toBe(200);
      return client;
    };

    beforeEach(async () => {
      setup = await setUp();
      ledger = await LedgerHarness.start(setup.env);
      log = new LogWriter(ledger);
    });
    afterEach(async () => {
      open.splice(0).forEach((client) => client.close());
      await ledger.stop();
      await setup.teardown?.();
    });

    it('sends every event after fromPosition in global order, then each new one as it is appended', async () => {
      await log.establish('ca-jp');
      await log.acquire('ca-jp', 'lot-1');
      const second = await log.tradeFlow(2023);
      await log.restriction('cn-gallium');

      const everything = await feed('/feed');
      expect(everything.headers['content-type']).toMatch(/^text\/event-stream/);
      // exclusive: the event at fromPosition itself is not sent again
      const afterSecond = await feed(`/feed?fromPosition=${BigInt(second)}`);
      await everything.untilMessages(4);
      await afterSecond.untilMessages(1);

      // live: appended after both feeds caught up
      await log.acquire('ca-jp', 'lot-2');
      const last = await log.tradeFlow(2024);
      await everything.untilId(last);
      await afterSecond.untilId(last);

      const events = await auditLog(ledger);
      expect(events.map((event) => event.type)).toEqual([
        'StockpileEstablished',
        'StockpileAcquired',
        'TradeFlowRecorded',
        'ExportRestricted',
        'StockpileAcquired',
        'TradeFlowRecorded',
      ]);
      expect(everything.messages).toEqual(asMessages(events));
      expect(afterSecond.messages).toEqual(asMessages(events.slice(3)));
    });

    it('resumes after a dropped connection with Last-Event-ID, losing and repeating nothing', async () => {
      await log.establish('ca-jp');
      // appends go on while the consumer drops its connection twice and reconnects
      let writing = true;
      const writer = (async () => {
        for (let lot = 1; lot <= 40; lot++) await log.acquire('ca-jp', `lot-${lot}`);
        writing = false;
      })();
      const received: SseMessage[] = [];
      let client = await feed('/feed');
      await client.untilMessages(5);
      client.close();
      received.push(...client.messages);
      // an EventSource reconnects to the same URL: Last-Event-ID wins over its fromPosition
      client = await feed('/feed?fromPosition=0', { 'last-event-id': received[received.length - 1]!.id });
      await client.untilMessages(5);
      client.close();
      received.push(...client.messages);
      await writer;
      expect(writing).toBe(false);
      const events = await auditLog(ledger);
      client = await feed('/feed', { 'last-event-id': received[received.length - 1]!.id });
      await client.untilId(events[events.length - 1].position);
      received.push(...client.messages);
      expect(received.map((message) => message.id)).toEqual(events.map((event) => event.position));
      expect(received).toEqual(asMessages(events));
    });

    it('filters on the server by event type and by stream category, also live', async () => {
      await log.establish('ca-jp');
      await log.acquire('ca-jp', 'lot-1');
      await log.tradeFlow(2023);
      await log.restriction('cn-gallium');
      const byType = await feed('/feed?types=StockpileAcquired,TradeFlowRecorded');
      const byCategory = await feed('/feed?categories=supply,exportRestriction');
      const both = await feed('/feed?categories=stockpile&types=StockpileEstablished,TradeFlowRecorded');

      await log.establish('kr-jp');
      const lastAcquisition = await log.acquire('kr-jp', 'lot-2');
      const lastFlow = await log.tradeFlow(2024);
      await byType.untilId(lastFlow);
      await byCategory.untilId(lastFlow);
      await both.until((client) => client.messages.length >= 2, 'both establishments');
      // the filtered feed's last event came earlier than the log's: to be sure nothing else follows,
      // a matching event is appended and awaited
      const marker = await log.establish('marker');

      const events = await auditLog(ledger);
      const where = (keep: (event: any) => boolean) => asMessages(events.filter(keep));
      expect(byType.messages).toEqual(
        where((event) => ['StockpileAcquired', 'TradeFlowRecorded'].includes(event.type)),
      );
      expect(byCategory.messages).toEqual(
        where((event) => /^(supply|exportRestriction)-/.test(event.streamId)),
      );
      await both.untilId(marker);
      expect(both.messages).toEqual(where((event) => event.type === 'StockpileEstablished'));
      expect(lastAcquisition).toBe(byType.messages[byType.messages.length - 2]!.id);
    });
  });
}
