import type { JsonResponse, KeyHolder, LedgerHarness } from './ledger-harness';

const withParameter = (path: string, parameter: string): string =>
  `${path}${path.includes('?') ? '&' : '?'}${parameter}`;

/**
 * Sends the commands a test is given (as admin unless told) and remembers the position of the last one,
 * so that every read waits for the read models to reach it (`minPosition`): reads never race the projector.
 */
export class Recorder {
  /** the global position of the last accepted command */
  last = '0';

  constructor(private readonly ledger: LedgerHarness) {}

  async post(path: string, body: unknown, as: KeyHolder = 'admin'): Promise<{ position: string }> {
    const response = await this.ledger.post(path, body, as);
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${response.text}`);
    this.last = response.body.position;
    return response.body;
  }

  read<T = any>(path: string, as: KeyHolder = 'reader', headers?: Record<string, string>) {
    return this.ledger.get<T>(withParameter(path, `minPosition=${this.last}`), as, headers);
  }
}

/**
 * Reads a list page after page (`limit` items each, following `nextCursor`); `between` runs after every
 * page but the last, before the next is asked for: the place to append while a client is paging.
 */
export async function pageThrough(
  recorder: Recorder,
  path: string,
  limit: number,
  between?: (cursor: string) => Promise<void>,
): Promise<any[][]> {
  const pages: any[][] = [];
  let cursor: string | null = null;
  do {
    const page: JsonResponse = await recorder.read(
      withParameter(path, `limit=${limit}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`),
    );
    if (page.status !== 200) throw new Error(`${path}: ${page.status} ${page.text}`);
    pages.push(page.body.items);
    cursor = page.body.nextCursor;
    if (cursor !== null && between) await between(cursor);
  } while (cursor !== null);
  return pages;
}

/** A cursor as the ledger makes them (base64url of the sort key), for tests that forge one. */
export const forgedCursor = (key: unknown): string =>
  Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

/** CSV text as rows of cells (RFC 4180 quoting), without the final empty line. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        cell += '"';
        index++;
      } else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(cell);
      cell = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      index++;
    } else cell += char;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}
