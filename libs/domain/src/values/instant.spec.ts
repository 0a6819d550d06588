import { refusal } from '../testing/refusal';
import { type Day, dayOf, parseDay, parseInstant, startOfDay } from './instant';

describe('parseInstant', () => {
  describe('accepting', () => {
    it('reads a bare date as 00:00 UTC that day', () => {
      expect(parseInstant('2026-03-26', 'effectiveAt')).toBe('2026-03-26T00:00:00.000Z');
    });

    it('normalises a positive offset to UTC', () => {
      expect(parseInstant('2026-03-26T09:00:00+09:00', 'effectiveAt')).toBe('2026-03-26T00:00:00.000Z');
    });

    it('normalises a negative offset to UTC, crossing into the next day', () => {
      expect(parseInstant('2026-03-26T20:00:00-05:00', 'effectiveAt')).toBe('2026-03-27T01:00:00.000Z');
    });

    it('normalises an offset that crosses back into the previous day', () => {
      expect(parseInstant('2026-03-26T00:30:00+01:00', 'effectiveAt')).toBe('2026-03-25T23:30:00.000Z');
    });

    it('normalises a half-hour offset', () => {
      expect(parseInstant('2026-03-26T09:00:00.5+05:30', 'effectiveAt')).toBe('2026-03-26T03:30:00.500Z');
    });

    it('accepts Z and -00:00 as UTC', () => {
      expect(parseInstant('2026-03-26T09:00:00Z', 'effectiveAt')).toBe('2026-03-26T09:00:00.000Z');
      expect(parseInstant('2026-03-26T09:00:00-00:00', 'effectiveAt')).toBe('2026-03-26T09:00:00.000Z');
    });

    it('accepts a time without seconds', () => {
      expect(parseInstant('2026-03-26T09:00+09:00', 'effectiveAt')).toBe('2026-03-26T00:00:00.000Z');
    });

    it('accepts fractional seconds up to nanoseconds, kept to the millisecond', () => {
      expect(parseInstant('2026-03-26T09:00:00.123456789Z', 'effectiveAt')).toBe('2026-03-26T09:00:00.123Z');
    });

    it('accepts 29 February in a leap year', () => {
      expect(parseInstant('2024-02-29', 'effectiveAt')).toBe('2024-02-29T00:00:00.000Z');
      expect(parseInstant('2024-02-29T12:00:00Z', 'effectiveAt')).toBe('2024-02-29T12:00:00.000Z');
    });

    it('accepts 29 February 2000, a leap year although divisible by 100', () => {
      expect(parseInstant('2000-02-29', 'effectiveAt')).toBe('2000-02-29T00:00:00.000Z');
    });

    it('accepts the first and last days of the ledger horizon', () => {
      expect(parseInstant('1900-01-01', 'effectiveAt')).toBe('1900-01-01T00:00:00.000Z');
      expect(parseInstant('2100-12-31T23:59:59Z', 'effectiveAt')).toBe('2100-12-31T23:59:59.000Z');
    });

    it('gives instants that sort lexically in time order whatever offset they arrived with', () => {
      const inputs = [
        '2026-03-25T20:00:00-05:00', // 2026-03-26T01:00Z
        '2026-03-26', // 2026-03-26T00:00Z
        '2026-03-26T08:00:00+09:00', // 2026-03-25T23:00Z
        '2026-03-26T00:00:00.001Z',
      ];
      const instants = inputs.map((input) => parseInstant(input, 'effectiveAt'));
      expect([...instants].sort()).toEqual([
        '2026-03-25T23:00:00.000Z',
        '2026-03-26T00:00:00.000Z',
        '2026-03-26T00:00:00.001Z',
        '2026-03-26T01:00:00.000Z',
      ]);
    });
  });

  describe('refusing', () => {
    it.each([
      ['30 February', '2026-02-30'],
      ['29 February in a common year', '2025-02-29'],
      ['29 February 1900, a century that is not a leap year', '1900-02-29'],
      ['31 April', '2026-04-31'],
      ['month 13', '2026-13-01'],
      ['month 0', '2026-00-10'],
      ['day 0', '2026-03-00'],
      ['30 February with a time', '2026-02-30T10:00:00Z'],
      ['29 February 2025 with a time', '2025-02-29T10:00:00+09:00'],
    ])('refuses %s', (_description, input) => {
      const error = refusal(() => parseInstant(input, 'effectiveAt'));
      expect(error.code).toBe('validation-failed');
      expect(error.field).toBe('effectiveAt');
    });

    it.each([
      ['1899-12-31'],
      ['2101-01-01'],
      ['1899-06-01T00:00:00Z'],
      ['2101-06-01T12:00:00+09:00'],
      ['0024-01-01'],
    ])('refuses %p, outside the years 1900 to 2100', (input) => {
      const error = refusal(() => parseInstant(input, 'effectiveAt'));
      expect(error.code).toBe('validation-failed');
      expect(error.field).toBe('effectiveAt');
    });

    it.each([
      ['hour 24', '2026-03-26T24:00:00Z'],
      ['hour 24 without seconds', '2026-03-26T24:00Z'],
      ['minute 60', '2026-03-26T23:60:00Z'],
      ['a leap second', '2026-03-26T23:59:60Z'],
      ['an offset of 24 hours', '2026-03-26T09:00:00+24:00'],
      ['an offset with minute 60', '2026-03-26T09:00:00+09:60'],
    ])('refuses a time that does not exist: %s', (_description, input) => {
      const error = refusal(() => parseInstant(input, 'effectiveAt'));
      expect(error.code).toBe('validation-failed');
      expect(error.field).toBe('effectiveAt');
    });

    it.each([
      ['a date-time without an offset', '2026-03-26T09:00:00'],
      ['a date-time without seconds or offset', '2026-03-26T09:00'],
      ['a lower-case z', '2026-03-26T09:00:00z'],
      ['a space instead of T', '2026-03-26 09:00:00Z'],
      ['an offset without a colon', '2026-03-26T09:00:00+0900'],
      ['an hour-only offset', '2026-03-26T09:00:00+09'],
      ['a single-digit month', '2026-3-26'],
      ['a day-first date', '26-03-2026'],
      ['a slashed date', '2026/03/26'],
      ['a compact date', '20260326'],
      ['a year and month only', '2026-03'],
      ['a date with surrounding spaces', ' 2026-03-26 '],
      ['a date with a trailing newline', '2026-03-26\n'],
      ['more than nine fractional digits', '2026-03-26T09:00:00.1234567890Z'],
      ['an English date', 'March 26, 2026'],
      ['an empty string', ''],
      ['a number of milliseconds', 1774483200000],
      ['a Date object', new Date('2026-03-26T00:00:00Z')],
      ['null', null],
      ['a missing value', undefined],
    ])('refuses %s', (_description, input) => {
      const error = refusal(() => parseInstant(input, 'effectiveAt'));
      expect(error.code).toBe('validation-failed');
      expect(error.field).toBe('effectiveAt');
    });

    it('reports errors under the field name it was given', () => {
      expect(refusal(() => parseInstant('2026-02-30', 'deliveredOn')).field).toBe('deliveredOn');
    });
  });
});

describe('parseDay', () => {
  it('accepts a calendar date as it is', () => {
    expect(parseDay('2026-03-26', 'startsOn')).toBe('2026-03-26');
    expect(parseDay('2024-02-29', 'startsOn')).toBe('2024-02-29');
  });

  it.each([
    ['2026-02-30'],
    ['2025-02-29'],
    ['1899-12-31'],
    ['2101-01-01'],
    ['2026-03-26T00:00:00Z'],
    [''],
    [20260326],
  ])('refuses %p', (input) => {
    const error = refusal(() => parseDay(input, 'startsOn'));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('startsOn');
  });
});

describe('dayOf and startOfDay', () => {
  it('gives the UTC day an instant falls on', () => {
    expect(dayOf(parseInstant('2026-03-26T08:00:00+09:00', 'at'))).toBe('2026-03-25');
    expect(dayOf(parseInstant('2026-03-26T23:59:59.999Z', 'at'))).toBe('2026-03-26');
  });

  it('gives midnight UTC at the start of a day, the same instant as the bare date', () => {
    const day = '2026-03-26' as Day;
    expect(startOfDay(day)).toBe('2026-03-26T00:00:00.000Z');
    expect(startOfDay(day)).toBe(parseInstant(day, 'at'));
  });
});
