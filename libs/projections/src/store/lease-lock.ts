import type { SqlDatabase, SqlDialect } from '../sql/sql.port';
import { LOCK_LEASE_MS, type LockHolder, type ProjectorLock } from './projector-lock';

/**
 * The projector lock as a lease row: taken when free or when its holder stopped renewing it for longer
 * than the lease, in one conditional upsert (the database serialises two claims). Two projectors can
 * overlap only when a holder pauses longer than the lease, and even then nothing is counted twice: every
 * batch re-reads its checkpoints inside its own write transaction.
 */
export class LeaseLock implements ProjectorLock {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => number = () => Date.now(),
  ) {}

  ddl(d: SqlDialect): string[] {
    return [
      `CREATE TABLE IF NOT EXISTS projector_lease (
         id ${d.bigint} PRIMARY KEY, owner TEXT NOT NULL, since TEXT NOT NULL, heartbeat_at TEXT NOT NULL)`,
    ];
  }

  async tryAcquire(owner: string): Promise<boolean> {
    const now = new Date(this.clock()).toISOString();
    const expired = new Date(this.clock() - LOCK_LEASE_MS).toISOString();
    await this.db.run(
      `INSERT INTO projector_lease (id, owner, since, heartbeat_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, since = excluded.since,
         heartbeat_at = excluded.heartbeat_at
       WHERE projector_lease.owner <> excluded.owner AND projector_lease.heartbeat_at < ?`,
      [owner, now, now, expired],
    );
    return (await this.holder())?.owner === owner && (await this.renew(owner));
  }

  async renew(owner: string): Promise<boolean> {
    const now = new Date(this.clock()).toISOString();
    return (
      (await this.db.run('UPDATE projector_lease SET heartbeat_at = ? WHERE id = 1 AND owner = ?', [
        now,
        owner,
      ])) === 1
    );
  }

  async release(owner: string): Promise<void> {
    await this.db.run('DELETE FROM projector_lease WHERE id = 1 AND owner = ?', [owner]);
  }

  async holder(): Promise<LockHolder | undefined> {
    const row = await this.db.get<{ owner: string; since: string; heartbeat_at: string }>(
      'SELECT owner, since, heartbeat_at FROM projector_lease WHERE id = 1',
    );
    return row && { owner: row.owner, since: row.since, heartbeatAt: row.heartbeat_at };
  }

  async close(): Promise<void> {}
}
