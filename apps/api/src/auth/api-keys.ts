import { isCountry } from '@ledger/domain';
import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const ROLES = ['recorder', 'reader', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who holds a key: its name and roles go into event metadata, its countries bound what it may record. */
export interface Principal {
  name: string;
  roles: Role[];
  countries: string[];
}

interface ApiKeyEntry extends Principal {
  key: string;
}

export class ApiKeyFileError extends Error {
  override name = 'ApiKeyFileError';
}

/** Keys are looked up by their SHA-256, so the plain key is not kept in memory past loading. */
const digest = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

const MIN_KEY_LENGTH = 16;

/** A value from the key file, quoted and cut short, for a message that names it. */
const quoted = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
};

function parseEntries(file: string, text: string): ApiKeyEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ApiKeyFileError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ApiKeyFileError(`${file} must hold a JSON array of keys`);
  // Where each name and key digest was first seen, so that a repeat names both entries.
  const names = new Map<string, string>();
  const keys = new Map<string, string>();
  return parsed.map((entry: unknown, index) => {
    const { key, name, roles, countries = [] } = (entry ?? {}) as Partial<ApiKeyEntry>;
    const named = typeof name === 'string' && name.trim() !== '';
    const where = named ? `${file}[${index}] (name ${quoted(name)})` : `${file}[${index}]`;
    if (!named) throw new ApiKeyFileError(`${where}.name must be a non-empty string`);
    if (names.has(name)) {
      throw new ApiKeyFileError(`${where}: the name is already used by ${names.get(name)}`);
    }
    names.set(name, where);
    if (typeof key !== 'string' || key.length < MIN_KEY_LENGTH) {
      throw new ApiKeyFileError(`${where}.key must be a string of at least ${MIN_KEY_LENGTH} characters`);
    }
    // Otherwise the last entry would win: a reader's key could silently become an admin's.
    if (keys.has(digest(key))) {
      throw new ApiKeyFileError(`${where}.key is the key of ${keys.get(digest(key))}: every key must differ`);
    }
    keys.set(digest(key), where);
    if (!Array.isArray(roles) || roles.length === 0) {
      throw new ApiKeyFileError(
        `${where}.roles is ${Array.isArray(roles) ? 'empty' : 'not a list'}: a key needs one or more of ${ROLES.join(', ')}`,
      );
    }
    const unknown = roles.find((role) => !(ROLES as readonly unknown[]).includes(role));
    if (unknown !== undefined) {
      throw new ApiKeyFileError(
        `${where}.roles: ${quoted(unknown)} is not a role; the roles are ${ROLES.join(', ')}`,
      );
    }
    if (!Array.isArray(countries) || !countries.every(isCountry)) {
      throw new ApiKeyFileError(`${where}.countries must list ISO 3166-1 alpha-2 codes`);
    }
    return { key, name, roles, countries };
  });
}

/** Reads and checks the whole file; any mistake throws, naming the entry. */
function loadKeys(file: string): ReadonlyMap<string, Principal> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ApiKeyFileError(`cannot read the API key file ${file}: ${(error as Error).message}`);
  }
  const byDigest = new Map<string, Principal>();
  for (const { key, ...principal } of parseEntries(file, text)) byDigest.set(digest(key), principal);
  return byDigest;
}

/**
 * The keys of the key file. SIGHUP reloads the file (key rotation without a restart): the new keys
 * replace the old ones all at once, and a file with a mistake leaves the old ones in force.
 */
export class ApiKeyRegistry implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ApiKeys');
  private readonly reloadOnHangup = () => this.reloadAndReport();

  private constructor(
    readonly file: string,
    private byDigest: ReadonlyMap<string, Principal>,
  ) {}

  static fromFile(file: string): ApiKeyRegistry {
    return new ApiKeyRegistry(file, loadKeys(file));
  }

  /** Reads the key file again; throws ApiKeyFileError, keeping the keys in force, if it has a mistake. */
  reload(): number {
    const byDigest = loadKeys(this.file);
    this.byDigest = byDigest;
    return byDigest.size;
  }

  /** What SIGHUP does: reload, and say in the log what happened (an operator is waiting to see it). */
  reloadAndReport(): void {
    try {
      const count = this.reload();
      this.logger.log(`reloaded ${this.file}: ${count} keys in force`);
    } catch (error) {
      // The message names the entry; a stack trace would only hide it.
      this.logger.error(`kept the previous keys: ${(error as Error).message}`);
    }
  }

  authenticate(key: string): Principal | undefined {
    return this.byDigest.get(digest(key));
  }

  onApplicationBootstrap(): void {
    process.on('SIGHUP', this.reloadOnHangup);
  }

  onApplicationShutdown(): void {
    process.off('SIGHUP', this.reloadOnHangup);
  }
}

/**
 * The embedded default: without LEDGER_API_KEYS_FILE, a key file with one admin key is created in the data
 * folder on first start (readable by its owner only). Returns its path and, when just made, the new key.
 */
export function ensureDefaultKeyFile(dataDir: string): { file: string; createdAdminKey?: string } {
  const file = join(dataDir, 'api-keys.json');
  if (existsSync(file)) return { file };
  mkdirSync(dirname(file), { recursive: true });
  const key = `mlk_${randomBytes(24).toString('base64url')}`;
  const entries: ApiKeyEntry[] = [{ key, name: 'admin', roles: ['admin'], countries: [] }];
  writeFileSync(file, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { file, createdAdminKey: key };
}
