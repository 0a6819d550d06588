/**
 * The two cuts every report takes: facts effective at or before `asOf`, recorded at or before `knownAt`
 * (a recorded time or a global position). Without `knownAt`, everything the read models hold.
 */
export interface Bitemporal {
  /** an instant, ISO 8601 UTC */
  asOf: string;
  knownAt?: { position: bigint } | { recordedAt: string } | undefined;
}

/** A `WHERE` fragment with its parameters. */
export interface Condition {
  sql: string;
  params: (string | bigint)[];
}

const column = (alias: string, name: string) => (alias ? `${alias}.${name}` : name);

/** Only the `knownAt` cut: for facts whose validity is a year or a day of their own, not `asOf`. */
export function knownAtCondition(cut: Bitemporal, alias = ''): Condition {
  if (cut.knownAt && 'position' in cut.knownAt) {
    return { sql: `${column(alias, 'position')} <= ?`, params: [cut.knownAt.position] };
  }
  if (cut.knownAt) return { sql: `${column(alias, 'recorded_at')} <= ?`, params: [cut.knownAt.recordedAt] };
  return { sql: '1 = 1', params: [] };
}

/** Both cuts, over a table whose rows carry effective_at, recorded_at and position. */
export function bitemporalCondition(cut: Bitemporal, alias = ''): Condition {
  const known = knownAtCondition(cut, alias);
  return {
    sql: `${column(alias, 'effective_at')} <= ? AND ${known.sql}`,
    params: [cut.asOf, ...known.params],
  };
}

/** Whether a fact with these times is inside the cut: the same rule as the conditions, in code. */
export function withinCut(
  cut: Bitemporal,
  fact: { effectiveAt: string; recordedAt: string; position: bigint },
): boolean {
  if (fact.effectiveAt > cut.asOf) return false;
  return knownBy(cut, fact);
}

/** Whether a fact was known at the cut's `knownAt`. */
export function knownBy(cut: Bitemporal, fact: { recordedAt: string; position: bigint }): boolean {
  if (!cut.knownAt) return true;
  return 'position' in cut.knownAt
    ? fact.position <= cut.knownAt.position
    : fact.recordedAt <= cut.knownAt.recordedAt;
}
