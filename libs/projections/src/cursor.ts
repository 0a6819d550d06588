/**
 * List cursors: the sort key of the last row a page held, opaque to clients (base64url of JSON). A page
 * after a cursor starts strictly after that key, so rows appended meanwhile neither repeat nor shift it.
 */
export const encodeCursor = (key: readonly (string | number)[]): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

export class InvalidCursorError extends Error {
  override name = 'InvalidCursorError';
}

/** The key of a cursor made by `encodeCursor` for `width` columns; throws InvalidCursorError otherwise. */
export function decodeCursor(cursor: string, width: number): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('the cursor is not one this ledger made');
  }
  if (!Array.isArray(key) || key.length !== width || !key.every((part) => typeof part === 'string')) {
    throw new InvalidCursorError('the cursor is not one this ledger made');
  }
  return key as string[];
}

/** A page of a list, as every list endpoint answers it. */
export interface Page<Item> {
  items: Item[];
  /** null on the last page */
  nextCursor: string | null;
}

/** How much of a list to read: at most `limit` items after `cursor`. */
export interface PageRequest {
  limit: number;
  cursor?: string;
}

export const MAX_PAGE_SIZE = 1000;
