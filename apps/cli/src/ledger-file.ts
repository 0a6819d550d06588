import {
  type ChainVerification,
  openSqliteDatabase,
  SqliteEventStore,
  verifyStore,
} from '@ledger/event-store';
import { rmSync } from 'node:fs';
import { MoveRefusedError, type MoveOptions } from './ledger-move';
import { ProgressBar } from './progress';

/** A copy of the embedded ledger file checked before it counts: SQLite's own page check, then every chain. */
export async function checkLedgerFile(
  file: string,
  label: string,
  options: Pick<MoveOptions, 'force' | 'disable'>,
): Promise<ChainVerification> {
  const db = openSqliteDatabase(file);
  try {
    const pages = db.pragma('quick_check', { simple: true }) as string;
    if (pages !== 'ok') throw new MoveRefusedError(`${label} is damaged (SQLite quick_check: ${pages})`);
    const store = new SqliteEventStore(db);
    const bar = new ProgressBar('check  ', await store.headPosition(), options);
    const chains = await verifyStore(store, { onProgress: ({ events }) => bar.update(BigInt(events)) });
    bar.finish(chains.sequence);
    if (!chains.verified) {
      throw new MoveRefusedError(
        `${label} does not verify (${chains.failureCount} failures), first: ${chains.failures[0]?.message ?? ''}`,
      );
    }
    return chains;
  } finally {
    db.close();
  }
}

/** Removes a half-written copy and the WAL files SQLite may have left beside it. */
export function removeLedgerFile(file: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
}
