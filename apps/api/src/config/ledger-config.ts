import { ConfigError, loadStoreConfig, type StoreConfig } from '@ledger/event-store';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export { ConfigError };

/** Everything the API reads from its environment, with the embedded defaults of API.md. */
export interface LedgerConfig extends StoreConfig {
  port: number;
  /** where the API keys are; undefined: the generated key file in the data folder */
  apiKeysFile: string | undefined;
  /** `in-process` (default) runs the projector inside the API; `external` leaves it to apps/projector */
  projector: 'in-process' | 'external';
  /** largest accepted request body, in bytes */
  bodyLimitBytes: number;
  /** how often an idle GET /feed gets a comment line that keeps proxies from closing it */
  feedHeartbeatMs: number;
  /** the built web interface served at /app (`npm run build` writes it to dist/web) */
  webDir: string;
}

/**
 * dist/web beside the package.json above this file: the same folder whether the API runs compiled from
 * dist/apps/api/src or from source (tests), and whatever the working directory.
 */
function builtWebDir(): string {
  let folder = __dirname;
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) return resolve('dist', 'web');
    folder = parent;
  }
  return join(folder, 'dist', 'web');
}

export function parsePort(value: string | undefined, fallback: number, name: string): number {
  const port = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`${name} must be a port number, got "${value}"`);
  return port;
}

function parseMilliseconds(value: string | undefined, fallback: number, name: string): number {
  const ms = value === undefined || value === '' ? fallback : Number(value);
  if (!Number.isInteger(ms) || ms < 1 || ms > 3_600_000)
    throw new ConfigError(`${name} must be a number of milliseconds from 1 to 3600000, got "${value}"`);
  return ms;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const projector = env.LEDGER_PROJECTOR || 'in-process';
  if (projector !== 'in-process' && projector !== 'external') {
    throw new ConfigError(`LEDGER_PROJECTOR must be "in-process" or "external", got "${projector}"`);
  }
  return {
    ...loadStoreConfig(env),
    port: parsePort(env.PORT, 3000, 'PORT'),
    apiKeysFile: env.LEDGER_API_KEYS_FILE ? resolve(env.LEDGER_API_KEYS_FILE) : undefined,
    projector,
    bodyLimitBytes: 64 * 1024,
    webDir: env.LEDGER_WEB_DIR ? resolve(env.LEDGER_WEB_DIR) : builtWebDir(),
    feedHeartbeatMs: parseMilliseconds(env.LEDGER_FEED_HEARTBEAT_MS, 15_000, 'LEDGER_FEED_HEARTBEAT_MS'),
  };
}
