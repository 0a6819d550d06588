import { invalidValue } from '../shared/domain-error';

/** Client-chosen ids: lower-case, URL-safe, at most 64 characters (API.md). Server ids are UUIDs. */
export const CLIENT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function parseEntityId(input: unknown, field: string): string {
  if (typeof input !== 'string' || !CLIENT_ID_PATTERN.test(input)) {
    throw invalidValue(field, `${field} must match ${CLIENT_ID_PATTERN.source}`);
  }
  return input;
}

/** The longest name, location or reason, in characters (Unicode code points). */
export const MAX_TEXT_LENGTH = 200;

/**
 * Control characters (C0, DEL, C1) and unpaired surrogates: invisible in a report, able to break a CSV
 * row or a terminal, and never part of a real name.
 */
const NOT_TEXT = /[\p{Cc}\p{Cs}]/u;

/**
 * A name, location or reason (DOMAIN.md "Text"): trimmed, in Unicode NFC (so one name has one byte form
 * and compares equal), without control characters, 1–200 characters. Returns the canonical form, which
 * is what the event stores.
 */
export function parseText(input: unknown, field: string): string {
  if (typeof input !== 'string') throw invalidValue(field, `${field} must be a string`);
  if (NOT_TEXT.test(input)) {
    throw invalidValue(field, `${field} must not contain control characters`);
  }
  const text = input.normalize('NFC').trim();
  if (text.length === 0) throw invalidValue(field, `${field} must not be blank`);
  let characters = 0;
  for (const _codePoint of text) characters += 1;
  if (characters > MAX_TEXT_LENGTH) {
    throw invalidValue(field, `${field} must be at most ${MAX_TEXT_LENGTH} characters`, 'out-of-range');
  }
  return text;
}
