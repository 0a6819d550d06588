import { isCountry } from '@ledger/domain';
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

function parseEntries(file: string, text: string): ApiKeyEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ApiKeyFileError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new ApiKeyFileError(`${file} must hold a JSON array of keys`);
  const names = new Set<string>();
  return parsed.map((entry: unknown, index) => {
    const where = `${file}[${index}]`;
    const { key, name, roles, countries = [] } = (entry ?? {}) as Partial<ApiKeyEntry>;
    if (typeof key !== 'string' || key.length < MIN_KEY_LENGTH) {
      throw new ApiKeyFileError(`${where}.key must be a string of at least ${MIN_KEY_LENGTH} characters`);
    }
    if (typeof name !== 'string' || name.trim() === '' || names.has(name)) {
      throw new ApiKeyFileError(`${where}.name must be a non-empty name used by no other key`);
    }
    names.add(name);
    if (
      !Array.isArray(roles) ||
      roles.length === 0 ||
      !roles.every((role) => (ROLES as readonly string[]).includes(role))
    ) {
      throw new ApiKeyFileError(`${where}.roles must list one or more of ${ROLES.join(', ')}`);
    }
    if (!Array.isArray(countries) || !countries.every(isCountry)) {
      throw new ApiKeyFileError(`${where}.countries must list ISO 3166-1 alpha-2 codes`);
    }
    return { key, name, roles, countries };
  });
}

export class ApiKeyRegistry {
  private constructor(private readonly byDigest: ReadonlyMap<string, Principal>) {}

  static fromFile(file: string): ApiKeyRegistry {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ApiKeyFileError(`cannot read the API key file ${file}: ${(error as Error).message}`);
    }
    const entries = parseEntries(file, text);
    const byDigest = new Map<string, Principal>();
    for (const { key, ...principal } of entries) byDigest.set(digest(key), principal);
    return new ApiKeyRegistry(byDigest);
  }

  authenticate(key: string): Principal | undefined {
    return this.byDigest.get(digest(key));
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
