import type { Request, Response } from 'express';
import { once } from 'node:events';

/** Whether the client asked for CSV: `?format=csv` or an Accept header preferring text/csv. */
export const wantsCsv = (request: Request, format?: string): boolean =>
  format === 'csv' ||
  (format === undefined && request.accepts(['application/json', 'text/csv']) === 'text/csv');

/** What a spreadsheet would read as a formula (OWASP CSV injection): such a cell gets a leading `'`. */
const FORMULA = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  if (FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const csvLine = (columns: readonly string[], row: Record<string, unknown>): string =>
  `${columns.map((column) => csvCell(row[column])).join(',')}\r\n`;

/** RFC 4180 CSV of flat rows, with the columns in the order given. */
export function sendCsv(response: Response, columns: readonly string[], rows: object[]): void {
  response
    .type('text/csv; charset=utf-8')
    .send(
      `${columns.join(',')}\r\n${rows.map((row) => csvLine(columns, row as Record<string, unknown>)).join('')}`,
    );
}

/**
 * A whole list as CSV, written page by page as the pages are read: memory holds one page, and a client
 * that reads slowly holds the next page back (the socket's backpressure), never the server's memory.
 */
export async function streamCsv(
  response: Response,
  columns: readonly string[],
  pages: AsyncIterable<object[]>,
): Promise<void> {
  response.type('text/csv; charset=utf-8');
  response.write(`${columns.join(',')}\r\n`);
  for await (const rows of pages) {
    if (response.destroyed) return;
    const chunk = rows.map((row) => csvLine(columns, row as Record<string, unknown>)).join('');
    if (!response.write(chunk)) await Promise.race([once(response, 'drain'), once(response, 'close')]);
  }
  response.end();
}
