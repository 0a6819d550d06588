import type { Bitemporal } from '../bitemporal';
import { EventLog, onDay, projectLog, STORE_KINDS, type TestReadModels } from '../../testing/event-log';
import {
  queryActiveRestrictions,
  type RestrictionFilter,
  type RestrictionView as ActiveRestriction,
} from './restrictions.queries';

describe.each(STORE_KINDS)('Active export restrictions on %s', (kind) => {
  const log = new EventLog('2023-01-01');
  // MOFCOM/GAC Announcement 23 [2023]: gallium and germanium licensing, every destination.
  const gallium = log.restrictExports(
    'cn-gallium-germanium-2023',
    {
      imposedBy: 'CN',
      materials: ['gallium', 'germanium'],
      measure: 'licensing',
      appliesTo: ['*'],
      announcedOn: '2023-07-03',
      effectiveFrom: '2023-08-01',
      legalReference: 'MOFCOM/GAC Announcement No. 23 [2023]',
    },
    { recordedAt: '2023-07-03T09:00:00+08:00' },
  );
  // Graphite licensing: four materials, so four scope rows for one measure.
  log.restrictExports(
    'cn-graphite-2023',
    {
      imposedBy: 'CN',
      materials: ['graphite-flake', 'graphite-spherical', 'graphite-anode', 'graphite-synthetic'],
      appliesTo: ['*'],
      announcedOn: '2023-10-20',
      effectiveFrom: '2023-12-01',
    },
    { recordedAt: '2023-10-20' },
  );
  // A (hypothetical) lift of the gallium measure from 2024-12-01, recorded two weeks before.
  const lift = log.liftRestriction('cn-gallium-germanium-2023', '2024-12-01', { recordedAt: '2024-11-15' });
  // The dual-use ban against Japanese end users: a destination-specific measure.
  log.restrictExports(
    'cn-dual-use-jp-2026',
    {
      imposedBy: 'CN',
      materials: ['gallium', 'germanium', 'graphite-anode'],
      measure: 'ban',
      appliesTo: ['JP'],
      announcedOn: '2026-01-06',
      effectiveFrom: '2026-01-06',
    },
    { recordedAt: '2026-01-06' },
  );

  let readModels: TestReadModels;
  beforeAll(async () => {
    readModels = await projectLog(log, kind);
  });
  afterAll(() => readModels.close());

  const active = (filter: RestrictionFilter, knownAt?: Bitemporal['knownAt']): Promise<ActiveRestriction[]> =>
    queryActiveRestrictions(readModels.db, filter, { asOf: onDay(filter.activeOn), knownAt });
  const ids = async (filter: RestrictionFilter, knownAt?: Bitemporal['knownAt']) =>
    (await active(filter, knownAt)).map((restriction) => restriction.restrictionId);

  const galliumMeasure: ActiveRestriction = {
    restrictionId: 'cn-gallium-germanium-2023',
    imposedBy: 'CN',
    measure: 'licensing',
    materials: ['gallium', 'germanium'],
    appliesTo: ['*'],
    announcedOn: '2023-07-03',
    effectiveFrom: '2023-08-01',
    liftedFrom: '2024-12-01',
    legalReference: 'MOFCOM/GAC Announcement No. 23 [2023]',
  };

  describe('a measure that becomes active and is lifted', () => {
    const forJapan = (activeOn: string): RestrictionFilter => ({
      activeOn,
      importer: 'JP',
      material: 'gallium',
    });

    it('is not active the day before its effectiveFrom', async () => {
      expect(await active(forJapan('2023-07-31'))).toEqual([]);
    });

    it('is active from its effectiveFrom', async () => {
      expect(await active(forJapan('2023-08-01'))).toEqual([galliumMeasure]);
    });

    it('is still active the day before the lift takes effect', async () => {
      expect(await active(forJapan('2024-11-30'))).toEqual([galliumMeasure]);
    });

    it('is no longer active from the lift’s effectiveFrom', async () => {
      expect(await active(forJapan('2024-12-01'))).toEqual([]);
      expect(await active(forJapan('2025-06-30'))).toEqual([]);
    });

    it('counts a lift only once it is known, by recorded time or by position', async () => {
      const unlifted = { ...galliumMeasure, liftedFrom: null };
      expect(await active(forJapan('2024-12-01'), { recordedAt: onDay('2024-11-14') })).toEqual([unlifted]);
      expect(await active(forJapan('2024-12-01'), { position: lift.position - 1n })).toEqual([unlifted]);
      expect(await active(forJapan('2024-12-01'), { position: lift.position })).toEqual([]);
      expect(await active(forJapan('2024-12-01'), { recordedAt: lift.recordedAt })).toEqual([]);
    });

    it('is not active while the measure itself is not yet known', async () => {
      // recorded 2023-07-03T09:00+08:00 = 01:00 UTC
      expect(await active(forJapan('2023-08-01'), { recordedAt: '2023-07-03T00:59:59.999Z' })).toEqual([]);
      expect(await active(forJapan('2023-08-01'), { recordedAt: gallium.recordedAt })).toHaveLength(1);
    });
  });

  describe('scope', () => {
    it('never restricts the imposing country itself, even for every destination', async () => {
      expect(await ids({ activeOn: '2023-08-01', importer: 'CN', material: 'gallium' })).toEqual([]);
      expect(await ids({ activeOn: '2026-01-06', importer: 'CN' })).toEqual([]);
    });

    it('applies a destination-specific measure only to the listed importers', async () => {
      expect(await ids({ activeOn: '2026-01-06', importer: 'JP', material: 'gallium' })).toEqual([
        'cn-dual-use-jp-2026',
      ]);
      expect(await ids({ activeOn: '2026-01-06', importer: 'KR', material: 'gallium' })).toEqual([]);
      expect(await ids({ activeOn: '2026-01-05', importer: 'JP', material: 'gallium' })).toEqual([]);
    });

    it('applies only to the measure’s materials', async () => {
      expect(await ids({ activeOn: '2023-08-01', importer: 'JP', material: 'graphite-anode' })).toEqual([]);
      expect(await ids({ activeOn: '2023-12-01', importer: 'JP', material: 'graphite-anode' })).toEqual([
        'cn-graphite-2023',
      ]);
      expect(await ids({ activeOn: '2023-12-01', importer: 'JP', material: 'ndpr-oxide' })).toEqual([]);
    });

    it('lists each active measure once, ordered by effectiveFrom, whatever the filters', async () => {
      expect(await ids({ activeOn: '2024-06-30' })).toEqual([
        'cn-gallium-germanium-2023',
        'cn-graphite-2023',
      ]);
      expect(await ids({ activeOn: '2026-01-06' })).toEqual(['cn-graphite-2023', 'cn-dual-use-jp-2026']);
      expect(await ids({ activeOn: '2026-01-06', importer: 'JP' })).toEqual([
        'cn-graphite-2023',
        'cn-dual-use-jp-2026',
      ]);
      expect(await ids({ activeOn: '2026-01-06', importer: 'KR' })).toEqual(['cn-graphite-2023']);
      expect(await ids({ activeOn: '2026-01-06', material: 'graphite-anode' })).toEqual([
        'cn-graphite-2023',
        'cn-dual-use-jp-2026',
      ]);
    });

    it('keeps the measure’s own terms in the answer', async () => {
      expect(await active({ activeOn: '2026-01-06', importer: 'JP', material: 'germanium' })).toEqual([
        {
          restrictionId: 'cn-dual-use-jp-2026',
          imposedBy: 'CN',
          measure: 'ban',
          materials: ['gallium', 'germanium', 'graphite-anode'],
          appliesTo: ['JP'],
          announcedOn: '2026-01-06',
          effectiveFrom: '2026-01-06',
          liftedFrom: null,
          legalReference: 'Reference cn-dual-use-jp-2026',
        },
      ]);
    });
  });
});
