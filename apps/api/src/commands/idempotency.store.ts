import type { SqliteDatabase } from '@ledger/event-store';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export type IdempotencyClaim =
  /** `earlierTry`: the key was claimed already and never completed: a try that crashed may have appended */
  | { outcome: 'proceed'; earlierTry: boolean }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'mismatch' };

/**
 * Durable Idempotency-Key records, scoped per API key name. A key is claimed with the request's
 * fingerprint before the command runs, so the same key with another body is refused even while the first
 * request is still running or after a crash; the response is stored once the command succeeded.
 */
export class IdempotencyStore {
  private readonly statements;

  constructor(
    db: SqliteDatabase,
    private readonly clock: () => Date = () => new Date(),
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS idempotency_keys (
      actor       TEXT NOT NULL,
      key         TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      status      INTEGER,
      response    TEXT,
      created_at  TEXT NOT NULL,
      PRIMARY KEY (actor, key)
    )`);
    this.statements = {
      claim: db.prepare(
        'INSERT INTO idempotency_keys (actor, key, fingerprint, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      ),
      find: db.prepare(
        'SELECT fingerprint, status, response FROM idempotency_keys WHERE actor = ? AND key = ?',
      ),
      complete: db.prepare(
        'UPDATE idempotency_keys SET status = ?, response = ? WHERE actor = ? AND key = ?',
      ),
      release: db.prepare('DELETE FROM idempotency_keys WHERE actor = ? AND key = ? AND status IS NULL'),
    };
  }

  claim(actor: string, key: string, fingerprint: string): IdempotencyClaim {
    const claimed =
      this.statements.claim.run(actor, key, fingerprint, this.clock().toISOString()).changes === 1;
    const row = this.statements.find.get(actor, key) as
      { fingerprint: string; status: number | null; response: string | null } | undefined;
    if (!row || row.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    if (row.status === null || row.response === null) return { outcome: 'proceed', earlierTry: !claimed };
    return { outcome: 'replay', response: { status: row.status, body: JSON.parse(row.response) } };
  }

  complete(actor: string, key: string, response: StoredResponse): void {
    this.statements.complete.run(response.status, JSON.stringify(response.body), actor, key);
  }

  /** The command failed: free the key so that the client may retry it. */
  release(actor: string, key: string): void {
    this.statements.release.run(actor, key);
  }
}
