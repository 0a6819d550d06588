import type { Bitemporal } from '../bitemporal';
import { EventLog, onDay, projectLog, type TestReadModels } from '../testing/event-log';
import {
  type ActiveRestriction,
  queryActiveRestrictions,
  type RestrictionFilter,
} from './restrictions.queries';

describe('Active export restrictions', () => {
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
  beforeAll(() => {
    readModels = projectLog(log);
  });
  afterAll(() => readModels.close());

  const active = (filter: RestrictionFilter, knownAt?: Bitemporal['knownAt']): ActiveRestriction[] =>
    queryActiveRestrictions(readModels.db, filter, { asOf: onDay(filter.activeOn), knownAt });
  const ids = (filter: RestrictionFilter, knownAt?: Bitemporal['knownAt']) =>
    active(filter, knownAt).map((restriction) => restriction.restrictionId);

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

    it('is not active the day before its effectiveFrom', () => {
      expect(active(forJapan('2023-07-31'))).toEqual([]);
    });

    it('is active from its effectiveFrom', () => {
      expect(active(forJapan('2023-08-01'))).toEqual([galliumMeasure]);
    });

    it('is still active the day before the lift takes effect', () => {
      expect(active(forJapan('2024-11-30'))).toEqual([galliumMeasure]);
    });

    it('is no longer active from the lift’s effectiveFrom', () => {
      expect(active(forJapan('2024-12-01'))).toEqual([]);
      expect(active(forJapan('2025-06-30'))).toEqual([]);
    });

    it('counts a lift only once it is known, by recorded time or by position', () => {
      const unlifted = { ...galliumMeasure, liftedFrom: null };
      expect(active(forJapan('2024-12-01'), { recordedAt: onDay('2024-11-14') })).toEqual([unlifted]);
      expect(active(forJapan('2024-12-01'), { position: lift.position - 1n })).toEqual([unlifted]);
      expect(active(forJapan('2024-12-01'), { position: lift.position })).toEqual([]);
      expect(active(forJapan('2024-12-01'), { recordedAt: lift.recordedAt })).toEqual([]);
    });

    it('is not active while the measure itself is not yet known', () => {
      // recorded 2023-07-03T09:00+08:00 = 01:00 UTC
      expect(active(forJapan('2023-08-01'), { recordedAt: '2023-07-03T00:59:59.999Z' })).toEqual([]);
      expect(active(forJapan('2023-08-01'), { recordedAt: gallium.recordedAt })).toHaveLength(1);
    });
  });

  describe('scope', () => {
    it('never restricts the imposing country itself, even for every destination', () => {
      expect(ids({ activeOn: '2023-08-01', importer: 'CN', material: 'gallium' })).toEqual([]);
      expect(ids({ activeOn: '2026-01-06', importer: 'CN' })).toEqual([]);
    });

    it('applies a destination-specific measure only to the listed importers', () => {
      expect(ids({ activeOn: '2026-01-06', importer: 'JP', material: 'gallium' })).toEqual([
        'cn-dual-use-jp-2026',
      ]);
      expect(ids({ activeOn: '2026-01-06', importer: 'KR', material: 'gallium' })).toEqual([]);
      expect(ids({ activeOn: '2026-01-05', importer: 'JP', material: 'gallium' })).toEqual([]);
    });

    it('applies only to the measure’s materials', () => {
      expect(ids({ activeOn: '2023-08-01', importer: 'JP', material: 'graphite-anode' })).toEqual([]);
      expect(ids({ activeOn: '2023-12-01', importer: 'JP', material: 'graphite-anode' })).toEqual([
        'cn-graphite-2023',
      ]);
      expect(ids({ activeOn: '2023-12-01', importer: 'JP', material: 'ndpr-oxide' })).toEqual([]);
    });

    it('lists each active measure once, ordered by effectiveFrom, whatever the filters', () => {
      expect(ids({ activeOn: '2024-06-30' })).toEqual(['cn-gallium-germanium-2023', 'cn-graphite-2023']);
      expect(ids({ activeOn: '2026-01-06' })).toEqual(['cn-graphite-2023', 'cn-dual-use-jp-2026']);
      expect(ids({ activeOn: '2026-01-06', importer: 'JP' })).toEqual([
        'cn-graphite-2023',
        'cn-dual-use-jp-2026',
      ]);
      expect(ids({ activeOn: '2026-01-06', importer: 'KR' })).toEqual(['cn-graphite-2023']);
      expect(ids({ activeOn: '2026-01-06', material: 'graphite-anode' })).toEqual([
        'cn-graphite-2023',
        'cn-dual-use-jp-2026',
      ]);
    });

    it('keeps the measure’s own terms in the answer', () => {
      expect(active({ activeOn: '2026-01-06', importer: 'JP', material: 'germanium' })).toEqual([
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
