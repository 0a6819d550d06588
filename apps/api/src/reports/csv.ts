import type { Request, Response } from 'express';

/** Whether the client asked for CSV: `?format=csv` or an Accept header preferring text/csv. */
export const wantsCsv = (request: Request, format?: string): boolean =>
  format === 'csv' ||
  (format === undefined && request.accepts(['application/json', 'text/csv']) === 'text/csv');

const cell = (value: unknown): string => {
  const text =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? JSON.stringify(value)
        : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** RFC 4180 CSV of flat rows, with the columns in the order given. */
export function sendCsv(response: Response, columns: string[], rows: Record<string, unknown>[]): void {
  const lines = [
    columns.join(','),
    ...rows.map((row) => columns.map((column) => cell(row[column])).join(',')),
  ];
  response.type('text/csv; charset=utf-8').send(`${lines.join('\r\n')}\r\n`);
}
