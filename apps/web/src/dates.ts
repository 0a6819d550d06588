/** Dates as the API takes them: ISO days, in UTC. */

export const today = (): string => new Date().toISOString().slice(0, 10);

const DAY = /^\d{4}-\d{2}-\d{2}/;

/** The day a URL parameter names, or undefined when it names none (a typo in a shared link). */
export const dayIn = (value: string | null | undefined): string | undefined =>
  value && DAY.test(value) && !Number.isNaN(Date.parse(value.slice(0, 10))) ? value.slice(0, 10) : undefined;

/** The day of an `asOf` from the URL (a date or a date-time); today when there is none or it is not one. */
export const dayOf = (asOf: string | undefined): string =>
  asOf && DAY.test(asOf) ? asOf.slice(0, 10) : today();

export function addMonths(day: string, months: number): string {
  const date = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  date.setUTCMonth(date.getUTCMonth() + months);
  return date.toISOString().slice(0, 10);
}

const monthsBetween = (from: string, to: string): number =>
  (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 +
  Number(to.slice(5, 7)) -
  Number(from.slice(5, 7));

/**
 * The days at which to ask the API for a series ending at `to`: monthly back to `from`, or every few
 * months when that would be more than `maxPoints` requests.
 */
export function seriesDays(from: string, to: string, maxPoints = 25): string[] {
  const months = monthsBetween(from, to);
  if (months <= 0) return [to];
  const step = Math.max(1, Math.ceil(months / (maxPoints - 1)));
  const days: string[] = [];
  for (let back = 0; back <= months; back += step) days.unshift(addMonths(to, -back));
  return days;
}

/** Seconds since the epoch, uPlot's time axis. */
export const epochSeconds = (day: string): number => Date.parse(`${day.slice(0, 10)}T00:00:00Z`) / 1000;

export const yearOf = (day: string): number => Number(day.slice(0, 4));
