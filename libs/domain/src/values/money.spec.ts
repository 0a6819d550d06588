import { refusal } from '../testing/refusal';
import { minorUnitDigits } from './currency-codes';
import { Money } from './money';

describe('Money', () => {
  describe('in a currency with two minor digits (USD)', () => {
    it('keeps a canonical amount as it is', () => {
      const money = Money.parse({ amount: '25000000.00', currency: 'USD' });
      expect(money.toJSON()).toEqual({ amount: '25000000.00', currency: 'USD' });
      expect(money.minorUnits).toBe(2_500_000_000n);
      expect(money.digits).toBe(2);
    });

    it('always shows both minor digits', () => {
      expect(Money.parse({ amount: '25000000', currency: 'USD' }).toJSON().amount).toBe('25000000.00');
      expect(Money.parse({ amount: '1.5', currency: 'USD' }).toJSON().amount).toBe('1.50');
      expect(Money.parse({ amount: '0.01', currency: 'USD' }).toJSON().amount).toBe('0.01');
    });

    it('refuses a fraction of a cent with code precision-exceeded', () => {
      const error = refusal(() => Money.parse({ amount: '1.005', currency: 'USD' }, 'cost'));
      expect(error.code).toBe('precision-exceeded');
      expect(error.field).toBe('cost.amount');
    });

    it('accepts zeros beyond the cent', () => {
      expect(Money.parse({ amount: '1.500', currency: 'USD' }).toJSON().amount).toBe('1.50');
    });
  });

  describe('in a currency without minor units (JPY)', () => {
    it('shows no decimal point', () => {
      expect(Money.parse({ amount: '1500', currency: 'JPY' }).toJSON()).toEqual({
        amount: '1500',
        currency: 'JPY',
      });
      expect(Money.parse({ amount: '1500', currency: 'JPY' }).minorUnits).toBe(1500n);
    });

    it('refuses a fraction of a yen', () => {
      expect(refusal(() => Money.parse({ amount: '1500.5', currency: 'JPY' })).code).toBe(
        'precision-exceeded',
      );
      expect(refusal(() => Money.parse({ amount: '0.01', currency: 'JPY' })).code).toBe('precision-exceeded');
    });

    it('accepts "1500.00", which is a whole number of yen', () => {
      expect(Money.parse({ amount: '1500.00', currency: 'JPY' }).toJSON().amount).toBe('1500');
    });
  });

  describe('in a currency with three minor digits (BHD)', () => {
    it('shows all three minor digits', () => {
      expect(Money.parse({ amount: '1.5', currency: 'BHD' }).toJSON()).toEqual({
        amount: '1.500',
        currency: 'BHD',
      });
      expect(Money.parse({ amount: '0.001', currency: 'BHD' }).toJSON().amount).toBe('0.001');
    });

    it('accepts a precision USD would refuse', () => {
      expect(Money.parse({ amount: '1.005', currency: 'BHD' }).minorUnits).toBe(1005n);
    });

    it('refuses a fourth decimal place', () => {
      expect(refusal(() => Money.parse({ amount: '0.0001', currency: 'BHD' })).code).toBe(
        'precision-exceeded',
      );
    });
  });

  it('keeps the currency it was given, with no conversion', () => {
    expect(Money.parse({ amount: '100', currency: 'EUR' }).toJSON()).toEqual({
      amount: '100.00',
      currency: 'EUR',
    });
    expect(Money.parse({ amount: '100', currency: 'CAD' }).toJSON()).toEqual({
      amount: '100.00',
      currency: 'CAD',
    });
  });

  it('shows four minor digits for a unit of account that has them (CLF)', () => {
    expect(Money.parse({ amount: '1.5', currency: 'CLF' }).toJSON().amount).toBe('1.5000');
  });

  it('accepts up to 10^15 major units and refuses more as out-of-range, in any currency', () => {
    expect(Money.parse({ amount: '1000000000000000.00', currency: 'USD' }).minorUnits).toBe(10n ** 17n);
    expect(Money.parse({ amount: '1000000000000000', currency: 'JPY' }).minorUnits).toBe(10n ** 15n);
    for (const [amount, currency] of [
      ['1000000000000000.01', 'USD'],
      ['1000000000000001', 'JPY'],
      ['99999999999999999999999999999999999999', 'EUR'],
    ]) {
      const error = refusal(() => Money.parse({ amount, currency }, 'cost'));
      expect(error.code).toBe('out-of-range');
      expect(error.field).toBe('cost.amount');
    }
  });

  it('keeps large amounts exact', () => {
    expect(Money.parse({ amount: '90071992547409.93', currency: 'USD' }).toJSON().amount).toBe(
      '90071992547409.93',
    );
  });

  it.each([['0'], ['0.00']])('refuses a zero amount %p', (amount) => {
    const error = refusal(() => Money.parse({ amount, currency: 'USD' }, 'cost'));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('cost.amount');
  });

  it.each([['-1.00'], ['1e6'], ['+5'], ['.5'], ['5.'], [''], ['1,000.00'], ['$5'], ['5 USD']])(
    'refuses the malformed amount %p',
    (amount) => {
      const error = refusal(() => Money.parse({ amount, currency: 'USD' }, 'cost'));
      expect(error.code).toBe('validation-failed');
      expect(error.field).toBe('cost.amount');
    },
  );

  it.each([[25], [null], [undefined]])('refuses %p as the amount', (amount) => {
    const error = refusal(() => Money.parse({ amount, currency: 'USD' }, 'cost'));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('cost.amount');
  });

  it.each([
    ['the ISO "no currency" code', 'XXX'],
    ['the testing code', 'XTS'],
    ['gold', 'XAU'],
    ['the SDR', 'XDR'],
    ['a lower-case code', 'usd'],
    ['a mixed-case code', 'Usd'],
    ['a two-letter code', 'US'],
    ['a four-letter code', 'USDD'],
    ['a symbol', '$'],
    ['an empty code', ''],
    ['a numeric code', 840],
    ['a missing currency', undefined],
  ])('refuses %s as the currency', (_description, currency) => {
    const error = refusal(() => Money.parse({ amount: '1.00', currency }, 'cost'));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('cost.currency');
  });

  it.each([['25000000.00 USD'], [25], [null], [undefined]])('refuses %p instead of an object', (input) => {
    const error = refusal(() => Money.parse(input, 'cost'));
    expect(error.code).toBe('validation-failed');
    expect(error.field).toBe('cost');
  });

  it('reports errors under "amount" when no field name is given', () => {
    expect(refusal(() => Money.parse({ amount: '1', currency: 'usd' })).field).toBe('amount.currency');
  });
});

describe('minorUnitDigits', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['CAD', 2],
    ['GBP', 2],
    ['AUD', 2],
    ['CHF', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['ISK', 0],
    ['CLP', 0],
    ['VND', 0],
    ['BHD', 3],
    ['KWD', 3],
    ['JOD', 3],
    ['OMR', 3],
    ['TND', 3],
    ['CLF', 4],
  ])('gives %s the ISO 4217 minor unit %p', (code, digits) => {
    expect(minorUnitDigits(code)).toBe(digits);
  });

  it.each([['XXX'], ['XAU'], ['XTS'], ['usd'], [''], ['toString']])('knows %p as no currency', (code) => {
    expect(minorUnitDigits(code)).toBeUndefined();
  });
});
