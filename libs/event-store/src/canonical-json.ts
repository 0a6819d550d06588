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

/**
 * Where the members a caller asked about lie in the text of a canonical JSON object, at its top level:
 * `start` at the key's opening quote, `valueStart` at its value, `end` just after the value; -1 when absent.
 */
export class TopLevelMembers {
  readonly start: number[];
  readonly valueStart: number[];
  readonly end: number[];

  constructor(readonly names: readonly string[]) {
    this.start = names.map(() => -1);
    this.valueStart = names.map(() => -1);
    this.end = names.map(() => -1);
  }

  /** Forgets what an earlier scan found. */
  clear(): void {
    this.start.fill(-1);
    this.valueStart.fill(-1);
    this.end.fill(-1);
  }
}

/** Parsing state of one open container in `isCanonicalJsonText`. */
const IN_OBJECT = 1;
const IN_ARRAY = 2;
/** Deeper text is left to the serialisation (a `false`): events nest a few levels. */
const MAX_DEPTH = 64;
// The scan's stack, shared: the scan is synchronous, so one at a time.
const CONTAINER_KINDS = new Int32Array(MAX_DEPTH);
/** per open object, where its last key lies, to check that the next sorts after it */
const KEY_STARTS = new Int32Array(MAX_DEPTH);
const KEY_ENDS = new Int32Array(MAX_DEPTH);

/** The escapes JSON.stringify writes for these control characters; every other one as \u00xx. */
const SHORT_ESCAPES = new Set(['"', '\\', 'b', 'f', 'n', 'r', 't'].map((c) => c.charCodeAt(0)));
const SHORT_ESCAPED_CONTROLS = new Set([0x08, 0x0c, 0x0a, 0x0d, 0x09]);
const LOWER_HEX = /^[0-9a-f]{4}$/;

/**
 * Whether `text` is exactly the canonical JSON of the value it holds, `canonicalJson(JSON.parse(text)) ===
 * text`, without parsing it: one pass over the characters. Stores write data and metadata canonically, so
 * an event's hash can be computed from the stored text as it is, when this says it is canonical.
 *
 * Conservative: a `true` is exact, while some canonical texts get a `false` (keys holding an escape, a
 * lone surrogate written as \udxxx); a caller then serialises the parsed value, as it would without this.
 * What it accepts, after RFC 8785 and JSON.stringify: no whitespace; object keys strictly increasing by
 * UTF-16 code units (so none repeated); strings with every character as JSON.stringify writes it (raw, a
 * surrogate only in a pair; the short escapes and \u00xx for control characters only); numbers in the
 * form JSON.stringify writes their value (so not -0, 1.0, 1e5); literals true, false, null.
 *
 * With `members`, also records where the top-level members it names lie (when the text is an object).
 */
export function isCanonicalJsonText(text: string, members?: TopLevelMembers): boolean {
  members?.clear();
  const length = text.length;
  // One loop with an explicit stack: no recursion, no closures, no allocation (it runs for every event read).
  const kinds = CONTAINER_KINDS;
  const keyStarts = KEY_STARTS;
  const keyEnds = KEY_ENDS;
  let depth = 0;
  let i = 0;
  /** the member of `members` whose value is being read at the top level, or -1 */
  let member = -1;
  let c: number;

  value: for (;;) {
    c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i += 1;
      for (;;) {
        if (i >= length) return false;
        c = text.charCodeAt(i);
        if (c === 0x22) break;
        if (c === 0x5c /* \ */) {
          const escaped = text.charCodeAt(i + 1);
          if (escaped === 0x75 /* u */) {
            // JSON.stringify writes \u00xx (lowercase) for a control character without a short escape.
            const hex = text.slice(i + 2, i + 6);
            if (!LOWER_HEX.test(hex)) return false;
            const code = parseInt(hex, 16);
            if (code >= 0x20 || SHORT_ESCAPED_CONTROLS.has(code)) return false;
            i += 6;
          } else if (SHORT_ESCAPES.has(escaped)) {
            i += 2;
          } else {
            return false;
          }
          continue;
        }
        if (c < 0x20) return false;
        if (c >= 0xd800 && c <= 0xdfff) {
          // raw only as a pair: high, then low; JSON.stringify escapes a lone surrogate
          const low = text.charCodeAt(i + 1);
          if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return false;
          i += 2;
          continue;
        }
        i += 1;
      }
      i += 1;
    } else if (c === 0x7b /* { */) {
      i += 1;
      if (text.charCodeAt(i) === 0x7d) {
        i += 1;
      } else {
        if (depth === MAX_DEPTH) return false;
        kinds[depth] = IN_OBJECT;
        keyStarts[depth] = -1;
        keyEnds[depth] = -1;
        depth += 1;
        i = readKey(text, i, depth, keyStarts, keyEnds);
        if (i < 0) return false;
        if (members && depth === 1) member = memberAt(text, keyStarts[0]!, keyEnds[0]!, members, i);
        continue value;
      }
    } else if (c === 0x5b /* [ */) {
      i += 1;
      if (text.charCodeAt(i) === 0x5d) {
        i += 1;
      } else {
        if (depth === MAX_DEPTH) return false;
        kinds[depth] = IN_ARRAY;
        depth += 1;
        continue value;
      }
    } else if (c === 0x74 /* t */) {
      if (!text.startsWith('true', i)) return false;
      i += 4;
    } else if (c === 0x66 /* f */) {
      if (!text.startsWith('false', i)) return false;
      i += 5;
    } else if (c === 0x6e /* n */) {
      if (!text.startsWith('null', i)) return false;
      i += 4;
    } else {
      i = readNumber(text, i);
      if (i < 0) return false;
    }

    // After a value: close containers, or go on to the next item or member.
    for (;;) {
      if (depth === 0) return i === length;
      if (depth === 1 && member >= 0) {
        members!.end[member] = i;
        member = -1;
      }
      c = text.charCodeAt(i);
      const kind = kinds[depth - 1];
      if (c === 0x2c /* , */) {
        i += 1;
        if (kind === IN_ARRAY) continue value;
        i = readKey(text, i, depth, keyStarts, keyEnds);
        if (i < 0) return false;
        if (members && depth === 1) member = memberAt(text, keyStarts[0]!, keyEnds[0]!, members, i);
        continue value;
      }
      if ((c === 0x7d && kind === IN_OBJECT) || (c === 0x5d && kind === IN_ARRAY)) {
        i += 1;
        depth -= 1;
        continue;
      }
      return false;
    }
  }
}

/**
 * Reads `"key":` at `i` for the object open at `depth`; checks that the key sorts strictly after the one
 * before it. Returns the index of the member's value, or -1. A key holding an escape is refused: its
 * order would have to be decided on the unescaped text.
 */
function readKey(text: string, i: number, depth: number, keyStarts: Int32Array, keyEnds: Int32Array): number {
  if (text.charCodeAt(i) !== 0x22) return -1;
  const start = i + 1;
  let at = start;
  for (;;) {
    if (at >= text.length) return -1;
    const c = text.charCodeAt(at);
    if (c === 0x22) break;
    if (c < 0x20 || c === 0x5c) return -1;
    if (c >= 0xd800 && c <= 0xdfff) {
      const low = text.charCodeAt(at + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return -1;
      at += 2;
      continue;
    }
    at += 1;
  }
  const end = at;
  const previousStart = keyStarts[depth - 1]!;
  if (previousStart >= 0) {
    // strictly after the previous key, by UTF-16 code units: the order Array.prototype.sort gives
    const previousLength = keyEnds[depth - 1]! - previousStart;
    const keyLength = end - start;
    const common = previousLength < keyLength ? previousLength : keyLength;
    let k = 0;
    for (; k < common; k += 1) {
      const a = text.charCodeAt(previousStart + k);
      const b = text.charCodeAt(start + k);
      if (a !== b) {
        if (a > b) return -1;
        break;
      }
    }
    if (k === common && previousLength >= keyLength) return -1;
  }
  keyStarts[depth - 1] = start;
  keyEnds[depth - 1] = end;
  if (text.charCodeAt(end + 1) !== 0x3a /* : */) return -1;
  return end + 2;
}

/** Which of `members` the top-level key between `start` and `end` is (recording where it lies), or -1. */
function memberAt(text: string, start: number, end: number, members: TopLevelMembers, valueStart: number) {
  const { names } = members;
  for (let index = 0; index < names.length; index += 1) {
    const name = names[index]!;
    if (name.length === end - start && text.startsWith(name, start)) {
      members.start[index] = start - 1;
      members.valueStart[index] = valueStart;
      return index;
    }
  }
  return -1;
}

/**
 * Reads a number at `i`; returns the index after it, or -1 unless it is written as JSON.stringify writes
 * its value. Integers of up to 15 digits are (they are exact doubles, written in full); anything else is
 * read by the JSON grammar and compared with the engine's own rendering of its value.
 */
function readNumber(text: string, i: number): number {
  const start = i;
  let c = text.charCodeAt(i);
  if (c === 0x2d /* - */) c = text.charCodeAt((i += 1));
  if (c === 0x30 /* 0 */) {
    c = text.charCodeAt((i += 1));
  } else if (c >= 0x31 && c <= 0x39) {
    do c = text.charCodeAt((i += 1));
    while (c >= 0x30 && c <= 0x39);
  } else {
    return -1;
  }
  let integer = true;
  if (c === 0x2e /* . */) {
    integer = false;
    c = text.charCodeAt((i += 1));
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do c = text.charCodeAt((i += 1));
    while (c >= 0x30 && c <= 0x39);
  }
  if (c === 0x65 /* e */ || c === 0x45 /* E */) {
    integer = false;
    c = text.charCodeAt((i += 1));
    if (c === 0x2b || c === 0x2d) c = text.charCodeAt((i += 1));
    if (!(c >= 0x30 && c <= 0x39)) return -1;
    do c = text.charCodeAt((i += 1));
    while (c >= 0x30 && c <= 0x39);
  }
  const digits = i - start;
  if (integer && digits <= 15) {
    // -0 parses to -0, which JSON.stringify writes as 0
    return digits === 2 && text.charCodeAt(start) === 0x2d && text.charCodeAt(start + 1) === 0x30 ? -1 : i;
  }
  const written = text.slice(start, i);
  return String(Number(written)) === written ? i : -1;
}
