import { canonicalJson, withCanonicalKeyOrder } from './canonical-json';
import {
  type EventMetadata,
  type EventToAppend,
  parseStoredEvent,
  type RecordedEvent,
  type StoredEvent,
} from './event-envelope';
import { sha256Hex } from './sha256';
import { type CanonicalStoredText, canonicalStoredText } from './stored-text';

/**
 * Tamper evidence, per stream. Every event carries `metadata.prevHash` (the hash of the previous event of
 * its stream, or GENESIS_HASH at revision 0) and `metadata.hash`, the SHA-256 of the event's canonical JSON
 * (RFC 8785) without `hash` itself. The command handler seals events before the append, so the chain is
 * the same on every store adapter. What only the store knows (position, recorded time) is covered by the
 * log digest instead (`log-digest.ts`).
 */

/** The `prevHash` of a stream's first event, and the digest of an empty log: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the hash covers: the event as the command handler appends it, and its place in its stream. */
export type HashedFields = EventToAppend & Pick<RecordedEvent, 'streamId' | 'revision'>;

/**
 * The event's hash: SHA-256 (lowercase hex) of the UTF-8 bytes of
 * `canonicalJson({streamId, revision (decimal string), eventId, type, schemaVersion, effectiveAt, data,
 * metadata without hash, prevHash})`, with `prevHash` read from the metadata.
 */
export function eventHash(event: HashedFields): string {
  const { hash: _hash, ...metadata } = event.metadata;
  return sha256Hex(
    // Keys written in canonical (sorted) order, so canonicalJson can take its fast path.
    canonicalJson({
      data: event.data,
      effectiveAt: event.effectiveAt,
      eventId: event.eventId,
      metadata,
      prevHash: metadata.prevHash,
      revision: event.revision.toString(),
      schemaVersion: event.schemaVersion,
      streamId: event.streamId,
      type: event.type,
    }),
  );
}

/**
 * The hash of an event as stored (`StoredEvent`), byte for byte `eventHash` of the parsed event: put
 * together from the stored text where that is canonical (the case for every event this ledger's stores
 * wrote) and the result confirms the stored `metadata.hash`; otherwise the event is parsed and serialised,
 * so a legacy row, or one whose content no longer matches its hash, is hashed exactly as before.
 */
export function storedEventHash(event: StoredEvent): string {
  const text = canonicalStoredText(event);
  if (text !== undefined) {
    const hash = hashOfStoredText(event, text);
    if (hash === text.hash) return hash;
  }
  return eventHash(parseStoredEvent(event));
}

/**
 * The SHA-256 of the same canonical JSON as `eventHash` serialises, put together from canonical stored
 * text: the members in the same sorted order, strings quoted by JSON.stringify (as canonicalJson quotes
 * them), the metadata's text less its top-level `hash` member, its `prevHash` as written. Undefined for an
 * envelope field outside the types (a damaged row), which the serialisation then judges.
 */
export function hashOfStoredText(event: StoredEvent, text: CanonicalStoredText): string | undefined {
  const { effectiveAt, eventId, revision, schemaVersion, streamId, type } = event;
  if (
    typeof effectiveAt !== 'string' ||
    typeof eventId !== 'string' ||
    typeof revision !== 'bigint' ||
    !Number.isFinite(schemaVersion) ||
    typeof streamId !== 'string' ||
    typeof type !== 'string'
  )
    return undefined;
  const { metadataText, hashStart, hashEnd } = text;
  // `hash` is never the only member (prevHash is there too): drop it with the comma on one side of it
  const metadataWithoutHash =
    metadataText.charCodeAt(hashEnd) === 0x2c /* , */
      ? metadataText.slice(0, hashStart) + metadataText.slice(hashEnd + 1)
      : metadataText.slice(0, hashStart - 1) + metadataText.slice(hashEnd);
  return sha256Hex(
    `{"data":${text.dataText},"effectiveAt":${JSON.stringify(effectiveAt)},` +
      `"eventId":${JSON.stringify(eventId)},"metadata":${metadataWithoutHash},` +
      `"prevHash":${text.prevHashJson},"revision":"${revision}",` +
      `"schemaVersion":${JSON.stringify(schemaVersion)},"streamId":${JSON.stringify(streamId)},` +
      `"type":${JSON.stringify(type)}}`,
  );
}

/**
 * What the next event of a stream links to: the previous event's stored hash, or, for an event written
 * before the chain existed, what its content hashes to (so the chain from then on still anchors it).
 */
const linkTo = (previous: HashedFields): string =>
  typeof previous.metadata.hash === 'string' ? previous.metadata.hash : eventHash(previous);

/**
 * Chains new events onto a stream whose last event is `previous` (undefined for a new stream): sets each
 * event's `prevHash` and `hash` for the revision it will get. The hash depends on the revision, so events
 * must be sealed again after the stream moved on (the command handler re-reads and re-decides anyway).
 */
export function sealEvents(
  streamId: string,
  previous: HashedFields | undefined,
  events: EventToAppend[],
): EventToAppend[] {
  let prevHash = previous ? linkTo(previous) : GENESIS_HASH;
  let revision = previous ? previous.revision : -1n;
  return events.map((event) => {
    revision += 1n;
    const { hash: _hash, prevHash: _prevHash, ...rest } = event.metadata;
    // Keys put in canonical order once here, so hashing now and storing next serialise on the fast path.
    const metadata = withCanonicalKeyOrder<EventMetadata>({ ...rest, prevHash });
    const data = withCanonicalKeyOrder(event.data);
    const hash = eventHash({ ...event, data, streamId, revision, metadata });
    prevHash = hash;
    // `hash` sorts before `idempotencyKey` and the rest: insert it in its place to keep the order canonical.
    return { ...event, data, metadata: withCanonicalKeyOrder({ ...metadata, hash }) };
  });
}
