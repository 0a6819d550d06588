import { invalidValue } from '../shared/domain-error';
import { formatScaledDecimal, parseScaledDecimal } from './decimal';

export const QUANTITY_UNITS = ['g', 'kg', 't'] as const;
export type QuantityUnit = (typeof QUANTITY_UNITS)[number];

/** Grams per unit: the gram is the finest precision the ledger keeps. */
const GRAM_SCALE: Record<QuantityUnit, number> = { g: 0, kg: 3, t: 6 };

/** A quantity as it travels on the wire and in stored events. */
export interface QuantityDto {
  amount: string;
  unit: string;
}

/**
 * A positive mass, held exactly as a whole number of grams. Events store the canonical kilogram form, so
 * "18000 t" and "18000000 kg" are the same fact and compare equal byte for byte.
 */
export class Quantity {
  private constructor(readonly grams: bigint) {}

  static parse(input: unknown, field = 'quantity'): Quantity {
    if (typeof input !== 'object' || input === null) {
      throw invalidValue(
        field,
        `${field} must be an object {"amount": "<decimal>", "unit": "g" | "kg" | "t"}`,
      );
    }
    const { amount, unit } = input as Partial<QuantityDto>;
    if (typeof unit !== 'string' || !(QUANTITY_UNITS as readonly string[]).includes(unit)) {
      throw invalidValue(`${field}.unit`, `${field}.unit must be one of g, kg, t`);
    }
    const grams = parseScaledDecimal(amount, GRAM_SCALE[unit as QuantityUnit], `${field}.amount`);
    if (grams <= 0n) {
      throw invalidValue(`${field}.amount`, `${field}.amount must be greater than zero`);
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

/** Canonical kilograms of a gram count, as reports print them. */
export const gramsToKilograms = (grams: bigint): string => formatScaledDecimal(grams, 3);
