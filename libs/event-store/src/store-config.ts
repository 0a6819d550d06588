import { resolve } from 'node:path';

/** Where the ledger keeps its events and read models; shared by the API, the projector and the CLI. */
export interface StoreConfig {
  /** the SQLite file and the generated key file live here */
  dataDir: string;
  eventStore: { kind: 'sqlite' };
  readStore: { kind: 'sqlite' };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadStoreConfig(env: NodeJS.ProcessEnv = process.env): StoreConfig {
  const eventStore = env.LEDGER_EVENT_STORE || 'sqlite';
  if (eventStore !== 'sqlite') {
    throw new ConfigError(
      `LEDGER_EVENT_STORE="${eventStore}" is not supported by this build yet; use "sqlite" (the EventStoreDB adapter is planned)`,
    );
  }
  const readStore = env.LEDGER_READ_STORE || 'sqlite';
  if (readStore !== 'sqlite') {
    throw new ConfigError(
      `LEDGER_READ_STORE="${readStore}" is not supported by this build yet; use "sqlite"`,
    );
  }
  return {
    dataDir: resolve(env.LEDGER_DATA_DIR || './data'),
    eventStore: { kind: 'sqlite' },
    readStore: { kind: 'sqlite' },
  };
}

/** The embedded ledger file inside the data folder. */
export const sqliteFileOf = (config: StoreConfig): string => resolve(config.dataDir, 'ledger.sqlite');
