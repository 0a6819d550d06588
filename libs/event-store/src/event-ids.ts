import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

/** Namespace of every deterministic id the ledger derives (a fixed, random UUID). */
const LEDGER_NAMESPACE = '6f1c9a52-3f0e-4b8e-9a63-2f5d8e0b7c41';

/**
 * The id of the `index`-th event that the command an actor sent with an Idempotency-Key appends to
 * `streamId`. The same stream, key and index always give the same id, so a retried command cannot append
 * twice on either store. The stream is part of the id so that an id never recurs in another stream by
 * construction: EventStoreDB checks ids only within a stream, and the same key reused for another entity
 * then yields other ids instead of a conflict.
 */
export const deterministicEventId = (
  streamId: string,
  actorName: string,
  idempotencyKey: string,
  index: number,
): string => uuidv5(JSON.stringify(['event', streamId, actorName, idempotencyKey, index]), LEDGER_NAMESPACE);

/** The id of a new entity (stockpile, lot, ...) created by a keyed command: stable across its retries. */
export const deterministicEntityId = (actorName: string, idempotencyKey: string, role: string): string =>
  uuidv5(JSON.stringify(['entity', actorName, idempotencyKey, role]), LEDGER_NAMESPACE);

/** Time-ordered random ids: they keep the store's unique index append-only (random v4 ids halve the rate). */
export const newId = (): string => uuidv7();
