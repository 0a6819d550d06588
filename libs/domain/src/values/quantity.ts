import { invalidValue } from '../shared/domain-error';
import { formatScaledDecimal, parseScaledDecimal, parseStoredDecimal } from './decimal';

export const QUANTITY_UNITS = ['g', 'kg', 't'] as const;
export type QuantityUnit = (typeof QUANTITY_UNITS)[number];

/** Grams per unit: the gram is the finest precision the ledger keeps. */
const GRAM_SCALE: Record<QuantityUnit, number> = { g: 0, kg: 3, t: 6 };

/**
 * The largest quantity one command may carry: 1,000,000,000 t (DOMAIN.md). Far above any real tonnage,
 * and small enough that every sum a read model keeps stays exact and every store can hold each amount.
 */
export const MAX_QUANTITY_GRAMS = 10n ** 15n;

/** A quantity as it travels on the wire and in stored events. */
export interface QuantityDto {
  amount: string;
  unit: string;
}

const isUnit = (unit: unknown): unit is QuantityUnit =>
  typeof unit === 'string' && (QUANTITY_UNITS as readonly string[]).includes(unit);

/**
 * A positive mass, held exactly as a whole number of grams. Events store the canonical kilogram form, so
 * "18000 t" and "18000000 kg" are the same fact and compare equal byte for byte.
 */
export class Quantity {
  private constructor(readonly grams: bigint) {}

  /** Parses a quantity a client sent: shape, precision and bounds are checked on the value in grams. */
  static parse(input: unknown, field = 'quantity'): Quantity {
    if (typeof input !== 'object' || input === null) {
      throw invalidValue(
        field,
        `${field} must be an object {"amount": "<decimal>", "unit": "g" | "kg" | "t"}`,
      );
    }
    const { amount, unit } = input as Partial<QuantityDto>;
    if (!isUnit(unit)) {
      throw invalidValue(`${field}.unit`, `${field}.unit must be one of g, kg, t`);
    }
    const grams = parseScaledDecimal(amount, GRAM_SCALE[unit], `${field}.amount`);
    if (grams <= 0n) {
      throw invalidValue(`${field}.amount`, `${field}.amount must be greater than zero`);
    }
    // The bound applies to the canonical value, after the unit is converted: "10000000000000 t" is as far
    // out of range as the same mass in grams.
    if (grams > MAX_QUANTITY_GRAMS) {
      throw invalidValue(
        `${field}.amount`,
        `${field} must be at most 1000000000 t (10^15 g)`,
        'out-of-range',
      );
    }
    return new Quantity(grams);
  }

  /** Builds a quantity from grams, for sums and differences; zero and negative balances are allowed here. */
  static ofGrams(grams: bigint): Quantity {
    return new Quantity(grams);
  }

  /** The canonical wire form: kilograms, exact, no exponent and no trailing zeros. */
  toJSON(): QuantityDto {
    return { amount: formatScaledDecimal(this.grams, 3), unit: 'kg' };
  }
}

/**
 * The grams of a quantity read back from a stored event. Stored facts are history: they fold and project
 * whatever their size (an event recorded before the bounds existed included), so no bound applies here.
 */
export function storedGrams(stored: QuantityDto, field = 'quantity'): bigint {
  if (!isUnit(stored?.unit)) throw invalidValue(`${field}.unit`, `${field}.unit is not a stored unit`);
  return parseStoredDecimal(stored.amount, GRAM_SCALE[stored.unit], `${field}.amount`);
}

/** Canonical kilograms of a gram count, as reports print them. */
export const gramsToKilograms = (grams: bigint): string => formatScaledDecimal(grams, 3);
