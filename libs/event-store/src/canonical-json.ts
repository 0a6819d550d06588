/**
 * Canonical JSON after RFC 8785 (JCS): object keys sorted by UTF-16 code units, no whitespace, strings and
 * numbers serialised as ECMAScript's JSON.stringify does (which is what JCS prescribes). Two equal values
 * always give the same bytes, so their hashes can be compared. Written as one loop per level: it runs for
 * every event appended and verified.
 */
export function canonicalJson(value: unknown): string {
  // Events read back from a store that wrote them canonically already have their keys in order; then the
  // engine's own JSON.stringify gives the canonical bytes, several times faster than building them here.
  return inCanonicalOrder(value) ? JSON.stringify(value) : buildCanonicalJson(value);
}

/** Whether JSON.stringify(value) is already canonical: every object's keys sorted, nothing JCS refuses. */
function inCanonicalOrder(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (Array.isArray(value)) {
    for (const item of value) if (item === undefined || !inCanonicalOrder(item)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const key of Object.keys(value as object)) {
    if (previous !== undefined && !(previous < key)) return false;
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined || !inCanonicalOrder(member)) return false;
    previous = key;
  }
  return true;
}

function buildCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new TypeError('JCS has no form for NaN or Infinity');
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    if (value === undefined) throw new TypeError('JCS has no form for undefined');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index += 1) {
      if (index > 0) out += ',';
      const item: unknown = value[index];
      out += buildCanonicalJson(item === undefined ? null : item);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // Array.prototype.sort without a comparator orders by UTF-16 code units, exactly as JCS requires.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${buildCanonicalJson(member)}`;
  }
  return `${out}}`;
}

/**
 * A deep copy whose object keys are in canonical order, so that canonicalJson (and JSON.stringify) of it
 * take the fast path every time it is serialised afterwards: once to hash, once to store.
 */
export function withCanonicalKeyOrder<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => withCanonicalKeyOrder(item)) as T;
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) sorted[key] = withCanonicalKeyOrder(record[key]);
  }
  return sorted as T;
}
