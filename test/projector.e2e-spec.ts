import { NestFactory } from '@nestjs/core';
import { loadStoreConfig } from '@ledger/event-store';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { ProjectorModule } from '../apps/projector/src/projector.module';
import { expectProblem, LedgerHarness } from './support/ledger-harness';

describe('The projector as its own app', () => {
  let ledger: LedgerHarness;
  let projector: INestApplication | undefined;

  beforeEach(async () => {
    ledger = await LedgerHarness.start({ LEDGER_PROJECTOR: 'external' });
  });
  afterEach(async () => {
    await projector?.close();
    projector = undefined;
    await ledger.stop();
  });

  const startProjector = async () => {
    projector = await NestFactory.create(
      ProjectorModule.forConfig(loadStoreConfig({ LEDGER_DATA_DIR: ledger.dataDir })),
      {
        logger: false,
      },
    );
    await projector.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${(projector.getHttpServer().address() as AddressInfo).port}`;
  };

  it('leaves the read models behind while no projector runs, and the API says so', async () => {
    await ledger.post('/stockpiles', {
      name: 'R',
      custodian: 'C',
      participants: [{ country: 'JP', sharePercent: '100' }],
    });
    const ready = await ledger.request('GET', '/ready');
    expect(ready.body.readModels.inventory_v2.lag).toBe('1');
    expectProblem(await ledger.get('/inventory?minPosition=1'), 503, 'unavailable');
  }, 15_000); // minPosition waits its full 5 s here

  it('catches up on start, follows new events, and serves the API’s read-your-writes', async () => {
    const established = await ledger.post('/stockpiles', {
      id: 'reserve',
      name: 'R',
      custodian: 'C',
      participants: [{ country: 'JP', sharePercent: '100' }],
    });
    const base = await startProjector();
    const acquired = await ledger.post('/stockpiles/reserve/acquisitions', {
      material: 'gallium',
      quantity: { amount: '2.5', unit: 't' },
      location: 'Tsukuba',
      originCountry: 'JP',
    });
    expect(BigInt(acquired.body.position)).toBeGreaterThan(BigInt(established.body.position));
    const inventory = await ledger.get(`/inventory?minPosition=${acquired.body.position}`);
    expect(inventory.body.rows).toEqual([
      expect.objectContaining({ stockpileId: 'reserve', onHand: '2500' }),
    ]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('ledger_projection_lag_events{read_model="inventory_v2"} 0');
  });
});
