import type { SqlDialect } from '../sql/sql.port';

/** Who holds the projector lock, as /ready reports it. */
export interface LockHolder {
  owner: string;
  since: string;
  heartbeatAt: string;
}

/**
 * At most one projector is active per read-model store; another takes over within seconds when the holder
 * dies. SQLite: a lease row renewed every second (its file's write lock serialises the claim). PostgreSQL:
 * a session advisory lock, which the server releases the moment the holder's connection dies.
 */
export interface ProjectorLock {
  /** tables the lock needs, created with the store's */
  ddl(dialect: SqlDialect): string[];
  /** takes the lock when it is free or its holder is gone; true when `owner` holds it now */
  tryAcquire(owner: string): Promise<boolean>;
  /** keeps holding it; false when it was lost (another took over) */
  renew(owner: string): Promise<boolean>;
  release(owner: string): Promise<void>;
  holder(): Promise<LockHolder | undefined>;
  close(): Promise<void>;
}

/** How long a holder that stopped renewing keeps the lock before another may take it. */
export const LOCK_LEASE_MS = 5_000;
/** How often the holder renews it. */
export const LOCK_RENEW_MS = 1_000;
