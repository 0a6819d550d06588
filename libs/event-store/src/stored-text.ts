import { isCanonicalJsonText, TopLevelMembers } from './canonical-json';
import type { StoredEvent } from './event-envelope';

/**
 * A stored event whose data and metadata text is canonical, as the stores write it, so that its hash can
 * be put together from the text as it is; with the metadata's `hash` and `prevHash`, read off the text.
 */
export interface CanonicalStoredText {
  readonly dataText: string;
  readonly metadataText: string;
  /** the metadata's top-level `hash` member, from its key's opening quote to the end of its value */
  readonly hashStart: number;
  readonly hashEnd: number;
  /** the metadata's `hash` and `prevHash`, both strings */
  readonly hash: string;
  readonly prevHash: string;
  /** the `prevHash` value as written (a JSON string) */
  readonly prevHashJson: string;
}

const METADATA_MEMBERS = new TopLevelMembers(['hash', 'prevHash']);
const [HASH, PREV_HASH] = [0, 1];

/**
 * The stored event's text, when it can be hashed as it is: data and metadata canonical JSON (checked, not
 * assumed: an older version or a hand may have written them otherwise), metadata an object whose `hash`
 * and `prevHash` are strings without escapes (what sealing writes). Undefined otherwise: the event is then
 * parsed and judged as before.
 */
export function canonicalStoredText(event: StoredEvent): CanonicalStoredText | undefined {
  const { dataText, metadataText } = event;
  // A damaged SQLite row may hold a number or a blob where text belongs.
  if (typeof dataText !== 'string' || typeof metadataText !== 'string') return undefined;
  // metadata must be an object: the hash covers an object's members, not an array's items
  if (metadataText.charCodeAt(0) !== 0x7b /* { */) return undefined;
  if (!isCanonicalJsonText(metadataText, METADATA_MEMBERS)) return undefined;
  const { start, valueStart, end } = METADATA_MEMBERS;
  const hash = plainString(metadataText, valueStart[HASH]!, end[HASH]!);
  const prevHash = plainString(metadataText, valueStart[PREV_HASH]!, end[PREV_HASH]!);
  if (hash === undefined || prevHash === undefined || !isCanonicalJsonText(dataText)) return undefined;
  return {
    dataText,
    metadataText,
    hashStart: start[HASH]!,
    hashEnd: end[HASH]!,
    hash,
    prevHash,
    prevHashJson: metadataText.slice(valueStart[PREV_HASH]!, end[PREV_HASH]!),
  };
}

/** The string value between `start` and `end` of canonical text, when it is one without escapes. */
function plainString(text: string, start: number, end: number): string | undefined {
  if (start < 0 || text.charCodeAt(start) !== 0x22 /* " */) return undefined;
  const inner = text.slice(start + 1, end - 1);
  return inner.includes('\\') ? undefined : inner;
}
