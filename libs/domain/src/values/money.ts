import { invalidValue } from '../shared/domain-error';
import { formatScaledDecimal, parseScaledDecimal } from './decimal';
import { minorUnitDigits } from './currency-codes';

export interface MoneyDto {
  amount: string;
  currency: string;
}

/** The largest amount one command may carry, in major units of its currency (DOMAIN.md). */
export const MAX_MONEY_MAJOR_UNITS = 10n ** 15n;

/**
 * An amount in one ISO 4217 currency, exact to its minor unit and kept in that currency (no conversion:
 * a rate is a fact of its own, with its own date).
 */
export class Money {
  private constructor(
    /** the amount in minor units (cents for USD, yen for JPY) */
    readonly minorUnits: bigint,
    readonly currency: string,
    readonly digits: number,
  ) {}

  static parse(input: unknown, field = 'amount'): Money {
    if (typeof input !== 'object' || input === null) {
      throw invalidValue(
        field,
        `${field} must be an object {"amount": "<decimal>", "currency": "<ISO 4217>"}`,
      );
    }
    const { amount, currency } = input as Partial<MoneyDto>;
    const digits = typeof currency === 'string' ? minorUnitDigits(currency) : undefined;
    if (digits === undefined) {
      throw invalidValue(
        `${field}.currency`,
        `${field}.currency must be an ISO 4217 currency code such as "USD"`,
      );
    }
    const minorUnits = parseScaledDecimal(amount, digits, `${field}.amount`);
    if (minorUnits <= 0n) {
      throw invalidValue(`${field}.amount`, `${field}.amount must be greater than zero`);
    }
    if (minorUnits > MAX_MONEY_MAJOR_UNITS * 10n ** BigInt(digits)) {
      throw invalidValue(`${field}.amount`, `${field} must be at most 10^15 ${currency}`, 'out-of-range');
    }
    return new Money(minorUnits, currency as string, digits);
  }

  /** Canonical form: the currency's minor-unit digits always shown ("25000000.00"), as ISO 4217 writes money. */
  toJSON(): MoneyDto {
    const text = formatScaledDecimal(this.minorUnits, this.digits);
    const [whole, fraction = ''] = text.split('.');
    return {
      amount: this.digits === 0 ? `${whole}` : `${whole}.${fraction.padEnd(this.digits, '0')}`,
      currency: this.currency,
    };
  }
}
