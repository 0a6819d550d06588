import { invalidValue } from '../shared/domain-error';

/**
 * Exact decimals as scaled bigints. Amounts travel as strings so that no JSON number (a float) ever
 * touches a quantity or a price; `1e3`, `0x10`, `Infinity`, signs and blanks are all refused.
 */
const DECIMAL = /^(0|[1-9][0-9]*)(?:\.([0-9]+))?$/;

/**
 * The longest amount we accept, in characters: far more than any amount within the bounds needs, small
 * enough to bound the work of parsing it.
 */
const MAX_LENGTH = 40;

/**
 * Parses a non-negative decimal string into an integer of `scale` decimal places.
 * More fractional digits than `scale` are accepted only when they are zeros ("1.500" at scale 2).
 */
export function parseScaledDecimal(text: unknown, scale: number, field: string): bigint {
  if (typeof text !== 'string') {
    throw invalidValue(field, `${field} must be a decimal string such as "12.5"`);
  }
  if (text.length > MAX_LENGTH) {
    throw invalidValue(field, `${field} has more than ${MAX_LENGTH} characters`, 'out-of-range');
  }
  const match = DECIMAL.exec(text);
  if (!match) {
    throw invalidValue(
      field,
      `${field} must be a plain decimal string such as "12.5" (no sign, exponent or spaces)`,
    );
  }
  const whole = match[1] ?? '0';
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > scale) {
    throw invalidValue(field, `${field} has more than ${scale} decimal places`, 'precision-exceeded');
  }
  return BigInt(whole + fraction.padEnd(scale, '0'));
}

/**
 * Reads back a decimal the ledger stored itself (an event's canonical amount). No length or bound applies:
 * events written before the bounds existed must still fold and project exactly, whatever their size.
 * Only a malformed string (a corrupted store) throws.
 */
export function parseStoredDecimal(text: unknown, scale: number, field: string): bigint {
  const match = typeof text === 'string' ? DECIMAL.exec(text) : null;
  const fraction = (match?.[2] ?? '').replace(/0+$/, '');
  if (!match || fraction.length > scale) {
    throw invalidValue(field, `${field} is not a stored decimal of at most ${scale} places`);
  }
  return BigInt((match[1] ?? '0') + fraction.padEnd(scale, '0'));
}

/** Formats a scaled integer canonically: no exponent, no trailing zeros, no trailing point. */
export function formatScaledDecimal(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = digits.slice(digits.length - scale).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/**
 * numerator / denominator as a canonical decimal string of at most `scale` places, rounded half to even
 * (the rounding that does not drift when many rounded values are summed). Ratios such as shares and HHI
 * are exact rationals; only this final step rounds.
 */
export function formatRatio(numerator: bigint, denominator: bigint, scale: number): string {
  if (denominator === 0n) throw new RangeError('division by zero');
  const negative = numerator < 0n !== denominator < 0n && numerator !== 0n;
  const n = numerator < 0n ? -numerator : numerator;
  const d = denominator < 0n ? -denominator : denominator;
  const scaled = n * 10n ** BigInt(scale);
  let quotient = scaled / d;
  const twiceRemainder = (scaled % d) * 2n;
  if (twiceRemainder > d || (twiceRemainder === d && quotient % 2n === 1n)) quotient += 1n;
  return formatScaledDecimal(negative ? -quotient : quotient, scale);
}
