import type { SqlDatabase, SqlDialect } from '../sql/sql.port';

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
 * Durable Idempotency-Key records, scoped per API key name, in the read-model store so that every API
 * process sharing it (PostgreSQL) sees the same keys. A key is claimed with the request's fingerprint
 * before the command runs, so the same key with another body is refused even while the first request is
 * still running or after a crash; the response is stored once the command succeeded.
 */
export class IdempotencyRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** The table; its name and shape are those of the first release, so records survive the upgrade. */
  static ddl(_dialect: SqlDialect): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS idempotency_keys (
         actor TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER, response TEXT,
         created_at TEXT NOT NULL, PRIMARY KEY (actor, key))`,
    ];
  }

  async claim(actor: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const claimed =
      (await this.db.run(
        `INSERT INTO idempotency_keys (actor, key, fingerprint, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (actor, key) DO NOTHING`,
        [actor, key, fingerprint, this.clock().toISOString()],
      )) === 1;
    const row = await this.db.get<{ fingerprint: string; status: unknown; response: string | null }>(
      'SELECT fingerprint, status, response FROM idempotency_keys WHERE actor = ? AND key = ?',
      [actor, key],
    );
    if (!row || row.fingerprint !== fingerprint) return { outcome: 'mismatch' };
    if (row.status === null || row.response === null) return { outcome: 'proceed', earlierTry: !claimed };
    return { outcome: 'replay', response: { status: Number(row.status), body: JSON.parse(row.response) } };
  }

  async complete(actor: string, key: string, response: StoredResponse): Promise<void> {
    await this.db.run('UPDATE idempotency_keys SET status = ?, response = ? WHERE actor = ? AND key = ?', [
      response.status,
      JSON.stringify(response.body),
      actor,
      key,
    ]);
  }

  /** The command failed: free the key so that the client may retry it. */
  async release(actor: string, key: string): Promise<void> {
    await this.db.run('DELETE FROM idempotency_keys WHERE actor = ? AND key = ? AND status IS NULL', [
      actor,
      key,
    ]);
  }
}
