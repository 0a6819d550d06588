import { invalidValue } from '../shared/domain-error';

/** Client-chosen ids: lower-case, URL-safe, at most 64 characters (API.md). Server ids are UUIDs. */
export const CLIENT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function parseEntityId(input: unknown, field: string): string {
  if (typeof input !== 'string' || !CLIENT_ID_PATTERN.test(input)) {
    throw invalidValue(field, `${field} must match ${CLIENT_ID_PATTERN.source}`);
  }
  return input;
}

/** A bounded, non-blank free-text field (a name, a location, a legal reference). */
export function parseText(input: unknown, field: string, maxLength = 200): string {
  if (typeof input !== 'string' || input.trim().length === 0) {
    throw invalidValue(field, `${field} must be a non-empty string`);
  }
  if (input.length > maxLength) {
    throw invalidValue(field, `${field} must be at most ${maxLength} characters`);
  }
  return input;
}
