import { openSqliteDatabase } from '@ledger/event-store';
import { expectProblem, type JsonResponse, type KeyHolder, type LedgerHarness } from './ledger-harness';

/** A stored event as the command endpoints left it; read from the file while the audit API is pending. */
export interface StoredEvent {
  type: string;
  revision: number;
  data: any;
  metadata: any;
}

export function storedEvents(ledger: LedgerHarness, streamId: string): StoredEvent[] {
  const db = openSqliteDatabase(`${ledger.dataDir}/ledger.sqlite`);
  try {
    const rows = db
      .prepare('SELECT type, revision, data, metadata FROM events WHERE stream_id = ? ORDER BY revision')
      .all(streamId) as { type: string; revision: number; data: string; metadata: string }[];
    return rows.map((row) => ({ ...row, data: JSON.parse(row.data), metadata: JSON.parse(row.metadata) }));
  } finally {
    db.close();
  }
}

/** Asserts a 400 whose `errors` name `field` (and, by default, the code `validation-failed`). */
export function expectFieldRefused(response: JsonResponse, field: string, code = 'validation-failed'): void {
  expectProblem(response, 400, code);
  expect(response.body.errors.map((error: { field: string }) => error.field)).toContain(field);
}

/**
 * The refusals every command shares: no key is 401; a reader and an auditor are 403; `otherCountries`
 * (recorders outside the entity's countries) are 403 too. None of them may append to `streamId`.
 */
export async function expectAuthorisationRefusals(
  ledger: LedgerHarness,
  path: string,
  body: unknown,
  streamId: string,
  otherCountries: KeyHolder[],
): Promise<void> {
  const before = storedEvents(ledger, streamId).length;
  expectProblem(await ledger.request('POST', path, { body }), 401, 'unauthorized');
  const wrongKey = await ledger.request('POST', path, {
    body,
    headers: { authorization: 'Bearer not-a-key-at-all-000' },
  });
  expectProblem(wrongKey, 401, 'unauthorized');
  for (const holder of ['reader', 'auditor', ...otherCountries] as KeyHolder[]) {
    expectProblem(await ledger.post(path, body, holder), 403, 'forbidden');
  }
  expect(storedEvents(ledger, streamId)).toHaveLength(before);
}
