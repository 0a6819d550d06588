import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchContext } from './bench-context';
import { API_MAIN } from './paths';
import { freePort, type NodeProcess, spawnNode, waitForAnswer } from './processes';

export const BENCH_KEY = 'bench-admin-key-000000000001';
export const JSON_HEADERS = { authorization: `Bearer ${BENCH_KEY}`, 'content-type': 'application/json' };

/** A key file with the bench's admin key, in `folder`. */
export function writeKeyFile(folder: string): string {
  const file = join(folder, 'keys.json');
  writeFileSync(file, JSON.stringify([{ key: BENCH_KEY, name: 'bench', roles: ['admin'], countries: [] }]));
  return file;
}

/**
 * The API as `npm start` runs it (the build, one process, the projector in it), on a data folder of its
 * own under the run's folder (or `dataDir`), with `env` added (stores); resolves once /health answers.
 */
export async function startApi(
  context: BenchContext,
  name: string,
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<NodeProcess> {
  const folder = context.subfolder(name);
  const api = spawnNode(
    API_MAIN,
    {
      LEDGER_DATA_DIR: dataDir ?? join(folder, 'data'),
      LEDGER_API_KEYS_FILE: writeKeyFile(folder),
      ...env,
    },
    join(folder, 'api.log'),
    await freePort(),
  );
  try {
    await waitForAnswer(api, '/health');
  } catch (error) {
    await api.stop(1000);
    throw error;
  }
  return api;
}

/** POSTs a JSON body with the bench key; throws unless the answer is 2xx. */
export async function post(api: NodeProcess, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${api.url}${path}`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

export const establishStockpile = (api: NodeProcess, id: string) =>
  post(api, '/stockpiles', {
    id,
    name: `S ${id}`,
    custodian: 'C',
    participants: [{ country: 'JP', sharePercent: '100' }],
  });
