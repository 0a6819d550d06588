import { refusal } from '../testing/refusal';
import { gramsToKilograms, MAX_QUANTITY_GRAMS, Quantity, storedGrams } from './quantity';

/** Runs `run`, asserts that it threw a DomainError and returns it, so its code and field can be checked. */

describe('Quantity', () => {
  describe('parsing a valid amount', () => {
    it('converts tonnes to canonical kilograms', () => {
      const quantity = Quantity.parse({ amount: '18000', unit: 't' });
      expect(quantity.toJSON()).toEqual({ amount: '18000000', unit: 'kg' });
      expect(quantity.grams).toBe(18_000_000_000n);
    });

    it('converts grams to canonical kilograms', () => {
      expect(Quantity.parse({ amount: '1', unit: 'g' }).toJSON()).toEqual({ amount: '0.001', unit: 'kg' });
      expect(Quantity.parse({ amount: '1500', unit: 'g' }).toJSON()).toEqual({ amount: '1.5', unit: 'kg' });
      expect(Quantity.parse({ amount: '1000', unit: 'g' }).toJSON()).toEqual({ amount: '1', unit: 'kg' });
    });

    it('drops trailing zeros of the fraction', () => {
      expect(Quantity.parse({ amount: '1.2300', unit: 'kg' }).toJSON()).toEqual({
        amount: '1.23',
        unit: 'kg',
      });
    });

    it('drops the decimal point when only zeros follow it', () => {
      expect(Quantity.parse({ amount: '5.000', unit: 'kg' }).toJSON()).toEqual({ amount: '5', unit: 'kg' });
      expect(Quantity.parse({ amount: '2.5', unit: 't' }).toJSON()).toEqual({ amount: '2500', unit: 'kg' });
    });

    it('keeps the zeros of a whole number of kilograms', () => {
      expect(Quantity.parse({ amount: '100', unit: 'kg' }).toJSON()).toEqual({ amount: '100', unit: 'kg' });
      expect(Quantity.parse({ amount: '0.1', unit: 't' }).toJSON()).toEqual({ amount: '100', unit: 'kg' });
    });

    it('accepts exactly one gram in every unit', () => {
      expect(Quantity.parse({ amount: '1', unit: 'g' }).grams).toBe(1n);
      expect(Quantity.parse({ amount: '0.001', unit: 'kg' }).grams).toBe(1n);
      expect(Quantity.parse({ amount: '0.000001', unit: 't' }).grams).toBe(1n);
    });

    it('accepts zeros beyond gram precision, since they add no precision', () => {
      expect(Quantity.parse({ amount: '0.0010', unit: 'kg' }).toJSON()).toEqual({
        amount: '0.001',
        unit: 'kg',
      });
      expect(Quantity.parse({ amount: '7.0', unit: 'g' }).grams).toBe(7n);
    });

    it('gives the same mass the same canonical form whatever unit it arrived in', () => {
      const forms = [
        Quantity.parse({ amount: '18000', unit: 't' }),
        Quantity.parse({ amount: '18000000', unit: 'kg' }),
        Quantity.parse({ amount: '18000000000', unit: 'g' }),
        Quantity.parse({ amount: '18000.000000', unit: 't' }),
      ].map((quantity) => JSON.stringify(quantity));
      expect(new Set(forms).size).toBe(1);
      expect(forms[0]).toBe('{"amount":"18000000","unit":"kg"}');
    });

    it('keeps amounts exact beyond the precision of a float', () => {
      // the largest amount below the bound, to the gram: 16 significant digits, more than a double keeps
      const quantity = Quantity.parse({ amount: '999999999999.999', unit: 'kg' });
      expect(quantity.grams).toBe(999_999_999_999_999n);
      expect(quantity.toJSON().amount).toBe('999999999999.999');
      // 0.300001 × 1000 is 300.00100000000003 in floating point; in grams it is exact.
      expect(Quantity.parse({ amount: '0.300001', unit: 't' }).toJSON().amount).toBe('300.001');
    });

    it('writes large amounts without an exponent', () => {
      expect(Quantity.parse({ amount: '1000000000', unit: 't' }).toJSON()).toEqual({
        amount: '1000000000000',
        unit: 'kg',
      });
    });
  });

  describe('bounds', () => {
    it('accepts exactly 1,000,000,000 t, in any unit', () => {
      for (const [amount, unit] of [
        ['1000000000', 't'],
        ['1000000000000', 'kg'],
        ['1000000000000000', 'g'],
      ]) {
        expect(Quantity.parse({ amount, unit }).grams).toBe(MAX_QUANTITY_GRAMS);
      }
    });

    it.each([
      ['1000000000.000001', 't'],
      ['1000000000001', 'kg'],
      ['1000000000000001', 'g'],
      // the reported repro: 10^13 t is within 40 characters but far out of range once in grams
      ['10000000000000', 't'],
      ['99999999999999999999999999999999999999', 'kg'],
    ])('refuses %s %s as out-of-range, judged on the canonical grams', (amount, unit) => {
      const error = refusal(() => Quantity.parse({ amount, unit }, 'annualQuantity'));
      expect(error.code).toBe('out-of-range');
      expect(error.kind).toBe('invalid');
      expect(error.field).toBe('annualQuantity.amount');
    });
  });

  describe('reading back a stored quantity', () => {
    it('reads any size exactly: an event stored before the bounds still folds and projects', () => {
      expect(storedGrams({ amount: '10000000000000000', unit: 'kg' })).toBe(10n ** 19n);
      expect(storedGrams({ amount: '1'.repeat(60), unit: 't' })).toBe(BigInt('1'.repeat(60)) * 10n ** 6n);
    });

    it('still refuses a malformed stored amount (a corrupted store)', () => {
      expect(() => storedGrams({ amount: '1e5', unit: 'kg' })).toThrow();
      expect(() => storedGrams({ amount: '1', unit: 'lb' })).toThrow();
    });
  });

  describe('refusing an amount', () => {
    it('refuses kilograms finer than a gram with code precision-exceeded', () => {
      const error = refusal(() => Quantity.parse({ amount: '0.0001', unit: 'kg' }));
      expect(error.code).toBe('precision-exceeded');
      expect(error.kind).toBe('invalid');
      expect(error.field).toBe('quantity.amount');
    });

    it('refuses a fraction of a gram', () => {
      const error = refusal(() => Quantity.parse({ amount: '1.5', unit: 'g' }));
      expect(error.code).toBe('precision-exceeded');
      expect(error.field).toBe('quantity.amount');
    });

    it('refuses tonnes finer than a gram', () => {
      expect(refusal(() => Quantity.parse({ amount: '0.0000001', unit: 't' })).code).toBe(
        'precision-exceeded',
      );
      expect(refusal(() => Quantity.parse({ amount: '1.0000005', unit: 't' })).code).toBe(
        'precision-exceeded',
      );
    });

    it.each([
      ['0', 'kg'],
      ['0.000', 'kg'],
      ['0', 't'],
      ['0', 'g'],
    ])('refuses a zero amount (%s %s)', (amount, unit) => {
      const error = refusal(() => Quantity.parse({ amount, unit }));
      expect(error.code).toBe('validation-failed');
      expect(error.field).toBe('quantity.amount');
    });

    it.each([
      ['a negative amount', '-1'],
      ['a negative fraction', '-0.5'],
      ['a negative zero', '-0'],
      ['an exponent', '1e3'],
      ['an upper-case exponent', '1E3'],
      ['a hexadecimal amount', '0x10'],
      ['a leading space', ' 1'],
      ['a trailing space', '1 '],
      ['a digit-group space', '1 000'],
      ['a plus sign', '+1'],
      ['a missing whole part', '.5'],
      ['a trailing decimal point', '1.'],
      ['an empty string', ''],
      ['a decimal comma', '1,5'],
      ['a thousands separator', '1,000'],
      ['two decimal points', '1.2.3'],
      ['a leading zero', '01'],
      ['Infinity', 'Infinity'],
      ['NaN', 'NaN'],
      ['non-ASCII digits', '١٢'],
      ['a unit inside the amount', '5kg'],
    ])('refuses %s', (_description, amount) => {
      const error = refusal(() => Quantity.parse({ amount, unit: 'kg' }));
      expect(error.code).toBe('validation-failed');
      expect(error.field).toBe('quantity.amount');
    });

    it.each([
      ['a number', 5],
      ['a bigint', 5n],
      ['null', null],
      ['a missing amount', undefined],
      ['an array', ['5']],
    ])('refuses %s as the amount', (_description, amount) => {
      const error = refusal(() => Quantity.parse({ amount, unit: 'kg' }));
      expect(error.code).toBe('validation-failed');
      expect(error.field).toBe('quantity.amount');
    });

    it('refuses an absurdly long amount', () => {
      const error = refusal(() => Quantity.parse({ amount: '9'.repeat(1000), unit: 'kg' }));
      expect(error.code).toBe('out-of-range');
      expect(error.field).toBe('quantity.amount');
    });
  });

  describe('refusing a unit or a shape', () => {
    it.each([['lb'], ['KG'], ['T'], ['kilogram'], ['mg'], [''], [undefined], [1000], ['toString']])(
      'refuses the unit %p',
      (unit) => {
        const error = refusal(() => Quantity.parse({ amount: '1', unit }));
        expect(error.code).toBe('validation-failed');
        expect(error.field).toBe('quantity.unit');
      },
    );

    it.each([['18000 t'], [18000], [null], [undefined], [true]])(
      'refuses %p instead of an object',
      (input) => {
        const error = refusal(() => Quantity.parse(input));
        expect(error.code).toBe('validation-failed');
        expect(error.field).toBe('quantity');
      },
    );

    it('reports errors under the field name it was given', () => {
      expect(refusal(() => Quantity.parse({ amount: '0.0001', unit: 'kg' }, 'annualCapacity')).field).toBe(
        'annualCapacity.amount',
      );
      expect(refusal(() => Quantity.parse({ amount: '1', unit: 'oz' }, 'annualCapacity')).field).toBe(
        'annualCapacity.unit',
      );
      expect(refusal(() => Quantity.parse('1 kg', 'annualCapacity')).field).toBe('annualCapacity');
    });
  });

  describe('as a balance', () => {
    it('formats zero and negative balances built from grams', () => {
      expect(Quantity.ofGrams(0n).toJSON()).toEqual({ amount: '0', unit: 'kg' });
      expect(Quantity.ofGrams(-1500n).toJSON()).toEqual({ amount: '-1.5', unit: 'kg' });
      expect(Quantity.ofGrams(-5n).toJSON()).toEqual({ amount: '-0.005', unit: 'kg' });
    });

    it('prints gram counts as canonical kilograms', () => {
      expect(gramsToKilograms(1n)).toBe('0.001');
      expect(gramsToKilograms(1230n)).toBe('1.23');
      expect(gramsToKilograms(18_000_000_000n)).toBe('18000000');
      expect(gramsToKilograms(0n)).toBe('0');
    });
  });
});
