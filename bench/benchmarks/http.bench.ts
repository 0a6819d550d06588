import autocannon from 'autocannon';
import { join } from 'node:path';
import { establishStockpile, JSON_HEADERS, startApi } from '../api-process';
import type { BenchContext } from '../bench-context';
import { type BenchResult, rateRow } from '../bench-result';
import { BENCH_DIST } from '../paths';
import { freePort, type NodeProcess, spawnNode, waitForAnswer } from '../processes';

const CONNECTIONS = 32;
const STOCKPILES = 64;

const ACQUISITION = JSON.stringify({
  material: 'graphite-anode',
  quantity: { amount: '12.5', unit: 't' },
  location: 'Yokohama',
  originCountry: 'CA',
});

interface Load {
  /** 2xx answers per second */
  rate: number;
  ok: number;
  /** answers other than 2xx, and requests that got none (connection errors and timeouts) */
  refused: number;
  p50: number;
  p99: number;
}

/** `seconds` of POSTs from 32 connections, each to the path `pathOf(n)` for the n-th request. */
function load(url: string, seconds: number, pathOf: (n: number) => string): Promise<Load> {
  let n = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: JSON_HEADERS,
            body: ACQUISITION,
            setupRequest: (request) => ({ ...request, path: pathOf(n++) }),
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        resolve({
          rate: result['2xx'] / result.duration,
          ok: result['2xx'],
          refused: result.non2xx + result.errors,
          p50: result.latency.p50,
          p99: result.latency.p99,
        });
      },
    );
  });
}

/** An untimed load first, on every server measured, so the timed ones compare warm processes. */
const warmUp = (context: BenchContext, url: string, pathOf: (n: number) => string) =>
  load(url, Math.max(1, Math.round(context.options.httpSeconds / 3)), pathOf);

/** The baseline: a bare 201 route on the same stack (Nest 11 on Express, same body parser), same load. */
async function bareLoad(context: BenchContext, name: string): Promise<Load> {
  const folder = context.subfolder(name);
  const bare = spawnNode(join(BENCH_DIST, 'bare-app.js'), {}, join(folder, 'bare.log'), await freePort());
  try {
    await waitForAnswer(bare, '/bare', 30_000, () => true);
    await warmUp(context, bare.url, () => '/bare');
    return await load(bare.url, context.options.httpSeconds, () => '/bare');
  } finally {
    await bare.stop();
  }
}

async function commandsOverHttp(
  context: BenchContext,
  name: string,
  env: Record<string, string>,
  storesNote: string,
): Promise<BenchResult> {
  const seconds = context.options.httpSeconds;
  let ledger: Load;
  const api: NodeProcess = await startApi(context, name, env);
  try {
    for (let s = 0; s < STOCKPILES; s += 1) await establishStockpile(api, `s${s}`);
    const pathOf = (n: number) => `/stockpiles/s${n % STOCKPILES}/acquisitions`;
    await warmUp(context, api.url, pathOf);
    ledger = await load(api.url, seconds, pathOf);
  } finally {
    await api.stop();
  }
  const bare = await bareLoad(context, `${name}-bare`);
  return rateRow(
    name,
    'commands/s',
    ledger.rate,
    bare.rate,
    `${CONNECTIONS} connections, ${seconds} s each, AcquireStock over ${STOCKPILES} stockpiles, ${storesNote}; ` +
      `latency p50/p99 ledger ${ledger.p50}/${ledger.p99} ms, bare ${bare.p50}/${bare.p99} ms; ` +
      `${ledger.ok} commands, ${ledger.refused} refused or failed`,
  );
}

/** `http-commands`: commands/s over HTTP (embedded SQLite) against the same stack's bare route. */
export const httpCommandsBenchmark = (context: BenchContext): Promise<BenchResult> =>
  commandsOverHttp(context, 'http-commands', {}, 'SQLite event and read stores');

/** `http-commands-postgres`: the same with the event store and the read-model store on PostgreSQL. */
export async function httpCommandsPostgresBenchmark(context: BenchContext): Promise<BenchResult> {
  const postgres = await context.postgres();
  return commandsOverHttp(
    context,
    'http-commands-postgres',
    {
      LEDGER_EVENT_STORE: await postgres.createDatabase('http_events'),
      LEDGER_READ_STORE: await postgres.createDatabase('http_reads'),
    },
    `event and read stores on ${postgres.description}`,
  );
}

/**
 * `hot-stream`: 32 connections all writing to ONE stockpile against the same load spread over 32, in the
 * same process (SQLite), one after the other. Every answer that is not 2xx counts as a refusal: the
 * command handler queues a stream's commands and pipelines their appends, so none should conflict.
 */
export async function hotStreamBenchmark(context: BenchContext): Promise<BenchResult> {
  const seconds = context.options.httpSeconds;
  const api = await startApi(context, 'hot-stream');
  try {
    await establishStockpile(api, 'hot');
    for (let s = 0; s < CONNECTIONS; s += 1) await establishStockpile(api, `s${s}`);
    const spreadPath = (n: number) => `/stockpiles/s${n % CONNECTIONS}/acquisitions`;
    await warmUp(context, api.url, spreadPath);
    const spread = await load(api.url, seconds, spreadPath);
    const hot = await load(api.url, seconds, () => '/stockpiles/hot/acquisitions');
    return rateRow(
      'hot-stream',
      'commands/s',
      hot.rate,
      spread.rate,
      `${CONNECTIONS} connections, ${seconds} s each, one stream vs ${CONNECTIONS} streams (baseline), SQLite; ` +
        `refusals (non-2xx or no answer): one stream ${hot.refused}, ${CONNECTIONS} streams ${spread.refused}; ` +
        `latency p50/p99 one stream ${hot.p50}/${hot.p99} ms, ${CONNECTIONS} streams ${spread.p50}/${spread.p99} ms`,
    );
  } finally {
    await api.stop();
  }
}
