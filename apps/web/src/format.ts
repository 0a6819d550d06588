/**
 * Numbers for people: the API answers exact decimal strings (quantities in canonical kilograms), and
 * Intl formats a decimal string exactly, so nothing here goes through a float. CSV downloads stay exact.
 */
const LOCALE = 'en';

type Decimal = `${number}`;
const decimal = (value: string) => value as Decimal;

const upTo = (digits: number) => new Intl.NumberFormat(LOCALE, { maximumFractionDigits: digits });
const QUANTITY = upTo(3);
const HHI = upTo(2);
const PERCENT = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 2 });
const regions = new Intl.DisplayNames([LOCALE], { type: 'region' });

export const NONE = '—';

/** Kilograms divided by 1000 by moving the decimal point: "42616000" is "42616.000" tonnes. */
export function kilogramsToTonnes(kg: string): string {
  const negative = kg.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? kg.slice(1) : kg).split('.');
  const digits = whole.padStart(4, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -3)}.${digits.slice(-3)}${fraction}`;
}

/** "7200" kg is "7.2 t", "250.5" kg is "250.5 kg": tonnes from one tonne up, with thousands separators. */
export function formatMass(kg: string | null | undefined): string {
  if (kg === null || kg === undefined) return NONE;
  const whole = kg.replace('-', '').split('.')[0] ?? '';
  return whole.length >= 4
    ? `${QUANTITY.format(decimal(kilogramsToTonnes(kg)))} t`
    : `${QUANTITY.format(decimal(kg))} kg`;
}

/** A share or ratio ("0.986842") as a percentage ("98.68%"). */
export function formatShare(share: string | null | undefined): string {
  return share === null || share === undefined ? NONE : PERCENT.format(decimal(share));
}

export function formatHhi(hhi: string | null | undefined): string {
  return hhi === null || hhi === undefined ? NONE : HHI.format(decimal(hhi));
}

export function formatDays(days: string | null | undefined): string {
  return days === null || days === undefined ? NONE : `${upTo(2).format(decimal(days))} days`;
}

export function formatMoney(money: { amount: string; currency: string }): string {
  return new Intl.NumberFormat(LOCALE, {
    style: 'currency',
    currency: money.currency,
    currencyDisplay: 'code',
  }).format(decimal(money.amount));
}

/** The date of an ISO date or date-time ("2026-03-01T00:00:00.000Z" is "2026-03-01"). */
export const formatDay = (instant: string | null | undefined): string =>
  instant ? instant.slice(0, 10) : NONE;

/** A recorded time to the second, in UTC as the ledger records it. */
export const formatInstant = (instant: string): string => `${instant.slice(0, 19).replace('T', ' ')} UTC`;

/** "Japan (JP)"; a code the browser does not know stays a code. */
export function countryName(code: string): string {
  if (code === '*') return 'every destination';
  try {
    const name = regions.of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

/** For charts only: a plotted value need not be exact. */
export const plotted = (value: string | null | undefined): number | null =>
  value === null || value === undefined ? null : Number(value);

/** Kilograms to tonnes, for a chart's axis in tonnes. */
export const plottedTonnes = (kg: string | null | undefined): number | null =>
  kg === null || kg === undefined ? null : Number(kilogramsToTonnes(kg));
