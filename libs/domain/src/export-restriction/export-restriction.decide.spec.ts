import { fold } from '../shared/decider';
import { deciderSpec } from '../testing/decider-spec';
import { CN_GALLIUM_LICENSING } from '../testing/export-measures';
import { parseCountry } from '../values/country';
import { parseDay, parseInstant } from '../values/instant';
import type { RestrictExports } from './export-restriction.commands';
import { exportRestrictionDecider } from './export-restriction.decide';
import type { ExportRestricted, ExportRestrictionLifted } from './export-restriction.events';
import { isRestrictionActive, type RestrictionTerms } from './export-restriction.state';
import { exportRestrictionStreamId } from './export-restriction.stream';

const { given } = deciderSpec(exportRestrictionDecider);

const { id: restrictionId, ...announced } = CN_GALLIUM_LICENSING;
const effectiveAt = parseInstant('2023-07-03', 'effectiveAt');
const CN = parseCountry('CN');
const JP = parseCountry('JP');
const US = parseCountry('US');
const day = (text: string) => parseDay(text, 'day');

/** The measure as the API hands it to the decider: values parsed. */
const restrict = (overrides: Partial<RestrictExports> = {}): RestrictExports => ({
  type: 'RestrictExports',
  restrictionId,
  effectiveAt,
  imposedBy: parseCountry(announced.imposedBy),
  materials: [...announced.materials],
  measure: announced.measure,
  appliesTo: [...announced.appliesTo],
  announcedOn: day(announced.announcedOn),
  effectiveFrom: day(announced.effectiveFrom),
  legalReference: announced.legalReference,
  ...overrides,
});

const restricted: ExportRestricted = {
  type: 'ExportRestricted',
  effectiveAt,
  // the measure as announced, under its id
  data: {
    restrictionId,
    ...announced,
    materials: [...announced.materials],
    appliesTo: [...announced.appliesTo],
  },
};

const lift = (effectiveFrom: string) => ({
  type: 'LiftRestriction' as const,
  restrictionId,
  effectiveAt,
  effectiveFrom: day(effectiveFrom),
});
const lifted = (effectiveFrom: string): ExportRestrictionLifted => ({
  type: 'ExportRestrictionLifted',
  effectiveAt,
  data: { effectiveFrom },
});

describe('Export restriction', () => {
  describe('when restricting exports', () => {
    it('records the measure as announced', () => {
      given([]).when(restrict()).then([restricted]);
    });

    it('records a measure aimed at named destinations', () => {
      given([])
        .when(restrict({ measure: 'ban', appliesTo: [JP, US], materials: ['graphite-flake'] }))
        .then([
          {
            ...restricted,
            data: {
              ...restricted.data,
              measure: 'ban',
              appliesTo: ['JP', 'US'],
              materials: ['graphite-flake'],
            },
          },
        ]);
    });

    it('refuses an id already recorded', () => {
      given([restricted]).when(restrict()).thenFails('conflict');
    });

    it('refuses a measure without materials', () => {
      given([])
        .when(restrict({ materials: [] }))
        .thenFails('validation-failed');
    });

    it('refuses a material listed twice', () => {
      given([])
        .when(restrict({ materials: ['gallium', 'gallium'] }))
        .thenFails('duplicate-material');
    });

    it('refuses a measure that applies to no destination', () => {
      given([])
        .when(restrict({ appliesTo: [] }))
        .thenFails('validation-failed');
    });

    it('refuses "*" alongside named countries', () => {
      given([])
        .when(restrict({ appliesTo: ['*', JP] }))
        .thenFails('validation-failed');
      given([])
        .when(restrict({ appliesTo: [JP, '*'] }))
        .thenFails('validation-failed');
    });

    it('refuses a destination listed twice', () => {
      given([])
        .when(restrict({ appliesTo: [JP, JP] }))
        .thenFails('duplicate-destination');
    });

    it('refuses a country restricting exports to itself', () => {
      given([])
        .when(restrict({ appliesTo: [JP, CN] }))
        .thenFails('self-restriction');
    });

    it('accepts a measure effective on the day it is announced', () => {
      given([])
        .when(restrict({ effectiveFrom: day('2023-07-03') }))
        .then([{ ...restricted, data: { ...restricted.data, effectiveFrom: '2023-07-03' } }]);
    });

    it('refuses a measure effective before it was announced', () => {
      given([])
        .when(restrict({ effectiveFrom: day('2023-07-02') }))
        .thenFails('invalid-dates');
    });
  });

  describe('when lifting a restriction', () => {
    it('records the first day it no longer applies', () => {
      given([restricted])
        .when(lift('2024-11-09'))
        .then([lifted('2024-11-09')]);
    });

    it('accepts a lift from the restriction’s own effective day', () => {
      given([restricted])
        .when(lift('2023-08-01'))
        .then([lifted('2023-08-01')]);
    });

    it('refuses a lift before the restriction took effect', () => {
      given([restricted]).when(lift('2023-07-31')).thenFails('lift-before-effective');
    });

    it('refuses to lift a restriction twice', () => {
      given([restricted, lifted('2024-11-09')])
        .when(lift('2025-01-01'))
        .thenFails('already-lifted');
    });

    it('refuses a restriction never recorded', () => {
      given([]).when(lift('2024-11-09')).thenFails('not-found');
    });

    it('refuses to record the restriction again once lifted', () => {
      given([restricted, lifted('2024-11-09')])
        .when(restrict())
        .thenFails('conflict');
    });
  });

  describe('whether a restriction is active', () => {
    const everyone: RestrictionTerms = {
      imposedBy: 'CN',
      materials: ['gallium', 'germanium'],
      appliesTo: ['*'],
      effectiveFrom: '2023-08-01',
    };
    const onlyJapan: RestrictionTerms = { ...everyone, appliesTo: ['JP'] };
    const liftedOn: RestrictionTerms = { ...everyone, liftedFrom: '2024-11-09' };

    it('is inactive the day before it takes effect', () => {
      expect(isRestrictionActive(everyone, '2023-07-31', 'JP', 'gallium')).toBe(false);
    });

    it('is active on its effective day itself', () => {
      expect(isRestrictionActive(everyone, '2023-08-01', 'JP', 'gallium')).toBe(true);
    });

    it('stays active until the day before it is lifted', () => {
      expect(isRestrictionActive(liftedOn, '2024-11-08', 'JP', 'gallium')).toBe(true);
    });

    it('is inactive on the lift day itself and after', () => {
      expect(isRestrictionActive(liftedOn, '2024-11-09', 'JP', 'gallium')).toBe(false);
      expect(isRestrictionActive(liftedOn, '2025-06-01', 'JP', 'gallium')).toBe(false);
    });

    it('is never active when lifted on its effective day', () => {
      expect(
        isRestrictionActive({ ...everyone, liftedFrom: '2023-08-01' }, '2023-08-01', 'JP', 'gallium'),
      ).toBe(false);
    });

    it('covers only its materials', () => {
      expect(isRestrictionActive(everyone, '2024-01-01', 'JP', 'germanium')).toBe(true);
      expect(isRestrictionActive(everyone, '2024-01-01', 'JP', 'graphite-flake')).toBe(false);
    });

    it('applies to every destination under "*"', () => {
      expect(isRestrictionActive(everyone, '2024-01-01', 'US', 'gallium')).toBe(true);
      expect(isRestrictionActive(everyone, '2024-01-01', 'DE', 'gallium')).toBe(true);
    });

    it('never restricts the imposing country, not even under "*"', () => {
      expect(isRestrictionActive(everyone, '2024-01-01', 'CN', 'gallium')).toBe(false);
    });

    it('applies to named destinations only when it names them', () => {
      expect(isRestrictionActive(onlyJapan, '2024-01-01', 'JP', 'gallium')).toBe(true);
      expect(isRestrictionActive(onlyJapan, '2024-01-01', 'US', 'gallium')).toBe(false);
    });

    it('reads the same terms from the folded stream', () => {
      const state = fold(exportRestrictionDecider, [restricted, lifted('2024-11-09')]);
      if (state.status === 'unknown') throw new Error('expected a restriction');
      expect(isRestrictionActive(state, '2024-11-08', 'JP', 'gallium')).toBe(true);
      expect(isRestrictionActive(state, '2024-11-09', 'JP', 'gallium')).toBe(false);
    });
  });

  it('keeps one stream per restriction, in a category without dashes', () => {
    expect(exportRestrictionStreamId('mofcom-2023-23')).toBe('exportRestriction-mofcom-2023-23');
  });
});
