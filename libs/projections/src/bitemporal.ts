/**
 * The two cuts every report takes: facts effective at or before `asOf`, recorded at or before `knownAt`
 * (a recorded time or a global position). Undefined means "no cut".
 */
export interface Bitemporal {
  asOf: string;
  knownAt?: { position: bigint } | { recordedAt: string };
}

/** SQL and parameters for the cut, over a table whose rows carry effective_at, recorded_at and position. */
export function bitemporalWhere(
  cut: Bitemporal,
  alias = '',
): { sql: string; params: Record<string, unknown> } {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  const clauses = [`${column('effective_at')} <= @asOf`];
  const params: Record<string, unknown> = { asOf: cut.asOf };
  if (cut.knownAt && 'position' in cut.knownAt) {
    clauses.push(`${column('position')} <= @knownAtPosition`);
    params.knownAtPosition = cut.knownAt.position;
  } else if (cut.knownAt) {
    clauses.push(`${column('recorded_at')} <= @knownAtTime`);
    params.knownAtTime = cut.knownAt.recordedAt;
  }
  return { sql: clauses.join(' AND '), params };
}

/** Only the `knownAt` cut: for facts whose validity is a calendar year or a day of their own, not `asOf`. */
export function knownAtWhere(cut: Bitemporal, alias = ''): { sql: string; params: Record<string, unknown> } {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  if (cut.knownAt && 'position' in cut.knownAt) {
    return {
      sql: `${column('position')} <= @knownAtPosition`,
      params: { knownAtPosition: cut.knownAt.position },
    };
  }
  if (cut.knownAt) {
    return {
      sql: `${column('recorded_at')} <= @knownAtTime`,
      params: { knownAtTime: cut.knownAt.recordedAt },
    };
  }
  return { sql: '1 = 1', params: {} };
}
