import autocannon from 'autocannon';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type BenchResult, round } from '../bench-result';

const CONNECTIONS = 32;
const STOCKPILES = 64;
const KEY = 'bench-admin-key-000000000001';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

async function startProcess(
  entry: string,
  env: Record<string, string>,
  readyPath: string,
  port: number,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-r', join(__dirname, '..', '..', '..', 'scripts', 'register-paths.js'), entry],
    {
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: 'ignore',
    },
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}${readyPath}`);
      if (response.status < 500) return child;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${entry} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function load(url: string, requests: autocannon.Request[], seconds: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: seconds, requests }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

/** Commands/s over HTTP with 32 connections against the same stack's bare 201 route. */
export async function httpBenchmark(folder: string, durationSeconds: number): Promise<BenchResult> {
  const dataDir = join(folder, 'http');
  const keys = join(folder, 'http-keys.json');
  writeFileSync(keys, JSON.stringify([{ key: KEY, name: 'bench', roles: ['admin'], countries: [] }]));

  const ledgerPort = await freePort();
  const ledger = await startProcess(
    join(__dirname, '..', '..', 'apps', 'api', 'src', 'main.js'),
    { LEDGER_DATA_DIR: dataDir, LEDGER_API_KEYS_FILE: keys },
    '/health',
    ledgerPort,
  );
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  try {
    for (let s = 0; s < STOCKPILES; s += 1) {
      await fetch(`http://127.0.0.1:${ledgerPort}/stockpiles`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          id: `s${s}`,
          name: `S${s}`,
          custodian: 'C',
          participants: [{ country: 'JP', sharePercent: '100' }],
        }),
      });
    }
    let n = 0;
    const body = JSON.stringify({
      material: 'graphite-anode',
      quantity: { amount: '12.5', unit: 't' },
      location: 'Yokohama',
      originCountry: 'CA',
    });
    const ledgerResult = await load(
      `http://127.0.0.1:${ledgerPort}`,
      [
        {
          method: 'POST',
          headers,
          body,
          setupRequest: (request) => ({ ...request, path: `/stockpiles/s${n++ % STOCKPILES}/acquisitions` }),
        },
      ],
      durationSeconds,
    );
    if (ledgerResult.non2xx > 0 || ledgerResult.errors > 0) {
      throw new Error(
        `ledger answered ${ledgerResult.non2xx} non-2xx and ${ledgerResult.errors} errors under load`,
      );
    }
    ledger.kill('SIGTERM');

    const barePort = await freePort();
    const bare = await startProcess(join(__dirname, '..', 'bare-app.js'), {}, '/health', barePort);
    const bareResult = await load(
      `http://127.0.0.1:${barePort}`,
      [{ method: 'POST', path: '/bare', headers, body }],
      durationSeconds,
    );
    bare.kill('SIGTERM');

    const ledgerRate = ledgerResult.requests.average;
    const bareRate = bareResult.requests.average;
    return {
      name: 'http-commands',
      unit: 'commands/s',
      ledger: round(ledgerRate, 0),
      baseline: round(bareRate, 0),
      ratio: round(ledgerRate / bareRate),
      notes:
        `${CONNECTIONS} connections, ${durationSeconds} s each; latency p50/p99 ledger ${ledgerResult.latency.p50}/${ledgerResult.latency.p99} ms, ` +
        `bare ${bareResult.latency.p50}/${bareResult.latency.p99} ms; ${ledgerResult.requests.total} commands, 0 errors`,
    };
  } finally {
    ledger.kill('SIGKILL');
  }
}
