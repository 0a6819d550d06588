import { Client } from 'pg';
import type { SqlDatabase, SqlDialect } from '../sql/sql.port';
import { LeaseLock } from '../store/lease-lock';
import type { LockHolder, ProjectorLock } from '../store/projector-lock';

/** 'LEDG' and the read-model store's key: never the event store's append or migration keys. */
const LOCK_CLASS = 0x4c454447;
const PROJECTOR_KEY = 10;

/**
 * The projector lock on PostgreSQL: a session advisory lock on a connection of its own, released by the
 * server the moment that connection dies (a killed process), so another process takes over at its next
 * try. The lease row beside it only says who holds it, for /ready.
 */
export class PostgresProjectorLock implements ProjectorLock {
  private client: Client | undefined;
  private readonly lease: LeaseLock;

  constructor(
    private readonly url: string,
    db: SqlDatabase,
  ) {
    this.lease = new LeaseLock(db);
  }

  ddl(dialect: SqlDialect): string[] {
    return this.lease.ddl(dialect);
  }

  async tryAcquire(owner: string): Promise<boolean> {
    if (!this.client) {
      const client = new Client({ connectionString: this.url });
      // a broken connection means the lock is gone: the next renew says so
      client.on('error', () => {
        if (this.client === client) this.client = undefined;
      });
      await client.connect();
      this.client = client;
    }
    const { rows } = await this.client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1, $2) AS locked',
      [LOCK_CLASS, PROJECTOR_KEY],
    );
    if (!rows[0]?.locked) return false;
    // The advisory lock is the truth; the lease row is overwritten whatever a dead holder left in it.
    await this.lease.release((await this.lease.holder())?.owner ?? owner);
    return this.lease.tryAcquire(owner);
  }

  async renew(owner: string): Promise<boolean> {
    if (!this.client) return false;
    try {
      await this.client.query('SELECT 1');
    } catch {
      this.client = undefined;
      return false;
    }
    return this.lease.renew(owner);
  }

  async release(owner: string): Promise<void> {
    await this.lease.release(owner).catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  holder(): Promise<LockHolder | undefined> {
    return this.lease.holder();
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
