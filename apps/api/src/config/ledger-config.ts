import { resolve } from 'node:path';

/** Everything the ledger reads from its environment, with the embedded defaults of API.md. */
export interface LedgerConfig {
  port: number;
  dataDir: string;
  /** where the API keys are; undefined: the generated key file in the data folder */
  apiKeysFile: string | undefined;
  eventStore: { kind: 'sqlite' };
  readStore: { kind: 'sqlite' };
  /** largest accepted request body, in bytes */
  bodyLimitBytes: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const port = env.PORT === undefined || env.PORT === '' ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number, got "${env.PORT}"`);
  }
  const eventStore = env.LEDGER_EVENT_STORE ?? 'sqlite';
  if (eventStore !== 'sqlite') {
    throw new ConfigError(
      `LEDGER_EVENT_STORE="${eventStore}" is not supported by this build; use "sqlite" (the EventStoreDB adapter is not built yet)`,
    );
  }
  const readStore = env.LEDGER_READ_STORE ?? 'sqlite';
  if (readStore !== 'sqlite') {
    throw new ConfigError(`LEDGER_READ_STORE="${readStore}" is not supported by this build; use "sqlite"`);
  }
  return {
    port,
    dataDir: resolve(env.LEDGER_DATA_DIR || './data'),
    apiKeysFile: env.LEDGER_API_KEYS_FILE ? resolve(env.LEDGER_API_KEYS_FILE) : undefined,
    eventStore: { kind: 'sqlite' },
    readStore: { kind: 'sqlite' },
    bodyLimitBytes: 64 * 1024,
  };
}
