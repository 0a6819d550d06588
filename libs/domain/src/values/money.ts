import { invalidValue } from '../shared/domain-error';
import { formatScaledDecimal, parseScaledDecimal, parseStoredDecimal } from './decimal';
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
    return { amount: formatMinorUnits(this.minorUnits, this.currency), currency: this.currency };
  }
}

/** An amount in minor units, written with its currency's minor-unit digits ("25000000.00"). */
export function formatMinorUnits(minorUnits: bigint, currency: string): string {
  const digits = minorUnitDigits(currency) ?? 0;
  const text = formatScaledDecimal(minorUnits, digits);
  const [whole, fraction = ''] = text.split('.');
  return digits === 0 ? `${whole}` : `${whole}.${fraction.padEnd(digits, '0')}`;
}

/**
 * The minor units of an amount read back from a stored event, whatever its size: stored facts are history,
 * summed exactly by the read side however large (an event recorded before the bounds existed included).
 */
export function storedMinorUnits(stored: MoneyDto, field = 'amount'): bigint {
  const digits = minorUnitDigits(stored?.currency);
  if (digits === undefined)
    throw invalidValue(`${field}.currency`, `${field}.currency is not a stored currency`);
  return parseStoredDecimal(stored.amount, digits, `${field}.amount`);
}
