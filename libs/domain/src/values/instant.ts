import { invalidValue } from '../shared/domain-error';

/**
 * Effective times. A bare date means 00:00 UTC that day; a date-time must carry its offset (an offset-less
 * local time would mean different instants on different servers). Impossible dates such as 2026-02-30 are
 * refused rather than rolled over, and years are kept within 1900–2100, the ledger's horizon.
 */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})$/;

export const MIN_YEAR = 1900;
export const MAX_YEAR = 2100;

/** An instant in canonical UTC form, `YYYY-MM-DDTHH:mm:ss.sssZ`, which sorts lexically in time order. */
export type Instant = string & { readonly __brand: 'Instant' };
/** A calendar day, `YYYY-MM-DD`. */
export type Day = string & { readonly __brand: 'Day' };

function checkCalendar(year: number, month: number, day: number, field: string): void {
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw invalidValue(field, `${field} is not a date that exists`);
  }
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw invalidValue(field, `${field} must lie between ${MIN_YEAR} and ${MAX_YEAR}`);
  }
}

export function parseDay(input: unknown, field: string): Day {
  const match = typeof input === 'string' ? DATE.exec(input) : null;
  if (!match) throw invalidValue(field, `${field} must be a date such as "2026-03-26"`);
  checkCalendar(Number(match[1]), Number(match[2]), Number(match[3]), field);
  return input as Day;
}

export function parseInstant(input: unknown, field: string): Instant {
  if (typeof input === 'string' && DATE.test(input)) {
    return `${parseDay(input, field)}T00:00:00.000Z` as Instant;
  }
  const match = typeof input === 'string' ? DATE_TIME.exec(input) : null;
  if (!match) {
    throw invalidValue(
      field,
      `${field} must be a date ("2026-03-26") or a date-time with offset ("2026-03-26T09:00:00+09:00")`,
    );
  }
  checkCalendar(Number(match[1]), Number(match[2]), Number(match[3]), field);
  const [hours, minutes, seconds] = [Number(match[4]), Number(match[5]), Number(match[6] ?? '0')];
  const offset = match[8] ?? 'Z';
  const offsetValid =
    offset === 'Z' || (Number(offset.slice(1, 3)) <= 23 && Number(offset.slice(4, 6)) <= 59);
  if (hours > 23 || minutes > 59 || seconds > 59 || !offsetValid) {
    throw invalidValue(field, `${field} is not a time that exists`);
  }
  const instant = new Date(input as string);
  return instant.toISOString() as Instant;
}

/** The day (UTC) an instant falls on. */
export const dayOf = (instant: Instant): Day => instant.slice(0, 10) as Day;

/** Midnight UTC at the start of a day. */
export const startOfDay = (day: Day): Instant => `${day}T00:00:00.000Z` as Instant;
