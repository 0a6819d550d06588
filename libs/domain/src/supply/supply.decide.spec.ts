import { fold } from '../shared/decider';
import { deciderSpec } from '../testing/decider-spec';
import { parseCountry } from '../values/country';
import { parseInstant } from '../values/instant';
import { Quantity } from '../values/quantity';
import type { RecordConsumption, RecordTradeFlow } from './supply.commands';
import { supplyCountryOf, supplyDecider } from './supply.decide';
import { supplyStreamId } from './supply.stream';
import type { ConsumptionRecorded, TradeFlowRecorded } from './supply.events';

const { given } = deciderSpec(supplyDecider);

const effectiveAt = parseInstant('2025-02-01', 'effectiveAt');
const JP = parseCountry('JP');
const CN = parseCountry('CN');

const tradeFlow = (overrides: Partial<RecordTradeFlow> = {}): RecordTradeFlow => ({
  type: 'RecordTradeFlow',
  effectiveAt,
  importer: JP,
  exporter: CN,
  material: 'graphite-flake',
  year: 2023,
  annualQuantity: Quantity.parse({ amount: '40000', unit: 't' }),
  ...overrides,
});

const consumption = (overrides: Partial<RecordConsumption> = {}): RecordConsumption => ({
  type: 'RecordConsumption',
  effectiveAt,
  country: JP,
  material: 'graphite-flake',
  year: 2023,
  annualQuantity: Quantity.parse({ amount: '50000', unit: 't' }),
  ...overrides,
});

const flowRecorded = (amountKg: string): TradeFlowRecorded => ({
  type: 'TradeFlowRecorded',
  effectiveAt,
  data: {
    importer: 'JP',
    exporter: 'CN',
    material: 'graphite-flake',
    year: 2023,
    annualQuantity: { amount: amountKg, unit: 'kg' },
  },
});

const consumptionRecorded = (amountKg: string): ConsumptionRecorded => ({
  type: 'ConsumptionRecorded',
  effectiveAt,
  data: {
    country: 'JP',
    material: 'graphite-flake',
    year: 2023,
    annualQuantity: { amount: amountKg, unit: 'kg' },
  },
});

describe('Supply statistics', () => {
  describe('when recording a trade flow', () => {
    it('records the flow with its quantity in canonical kilograms', () => {
      given([])
        .when(tradeFlow())
        .then([flowRecorded('40000000')]);
    });

    it('refuses a flow from a country to itself', () => {
      given([])
        .when(tradeFlow({ exporter: JP }))
        .thenFails('same-country');
    });

    it.each([1899, 2101, 2023.5, Number.NaN])('refuses the year %s', (year) => {
      given([]).when(tradeFlow({ year })).thenFails('validation-failed');
    });

    it.each([1900, 2100])('accepts the boundary year %s', (year) => {
      given([])
        .when(tradeFlow({ year }))
        .then([{ ...flowRecorded('40000000'), data: { ...flowRecorded('40000000').data, year } }]);
    });

    it('records a revised figure for the same flow and year as a new fact', () => {
      given([flowRecorded('40000000')])
        .when(tradeFlow({ annualQuantity: Quantity.parse({ amount: '42500', unit: 't' }) }))
        .then([flowRecorded('42500000')]);
    });
  });

  describe('when recording consumption', () => {
    it('records the consumption with its quantity in canonical kilograms', () => {
      given([])
        .when(consumption())
        .then([consumptionRecorded('50000000')]);
    });

    it.each([1899, 2101, 2023.5])('refuses the year %s', (year) => {
      given([]).when(consumption({ year })).thenFails('validation-failed');
    });

    it('records a revised figure for the same country, material and year as a new fact', () => {
      given([consumptionRecorded('50000000'), flowRecorded('40000000')])
        .when(consumption({ annualQuantity: Quantity.parse({ amount: '52000', unit: 't' }) }))
        .then([consumptionRecorded('52000000')]);
    });
  });

  describe('for routing and authorisation', () => {
    it('files a trade flow under the importer and consumption under the consuming country', () => {
      expect(supplyCountryOf(tradeFlow())).toBe('JP');
      expect(supplyCountryOf(consumption({ country: parseCountry('KR') }))).toBe('KR');
      expect(supplyStreamId('JP')).toBe('supply-JP');
    });

    it('remembers whose statistics the stream holds', () => {
      expect(fold(supplyDecider, [flowRecorded('1')])).toEqual({ status: 'recording', country: 'JP' });
    });
  });
});
