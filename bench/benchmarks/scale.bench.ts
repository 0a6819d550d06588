import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { BENCH_KEY, writeKeyFile } from '../api-process';
import type { BenchContext } from '../bench-context';
import { ascending, milliseconds, percentile, round } from '../bench-result';
import { API_MAIN, BENCH_DIST, REGISTER_PATHS } from '../paths';
import { freePort, type NodeProcess, spawnNode } from '../processes';
import type { LedgerFixture } from './ledger-fixture';

/** One line of the scale table: a measure at each ledger size. */
export interface ScaleRow {
  name: string;
  unit: string;
  /** by ledger size (events), in the order of `sizes` */
  values: (number | null)[];
  /** what issue 19 asks of it */
  aim: string;
}

export interface ScaleTable {
  /** events of each generated ledger (the generator's own count, about the size asked for) */
  sizes: number[];
  rows: ScaleRow[];
  notes: string[];
}

const HEALTH_POLL_MS = 50;
const READY_POLL_MS = 200;

/** The queries of the table: what a user does, once the API has caught up. */
const QUERIES = [
  { name: 'GET /inventory p50 (whole inventory page)', path: '/inventory' },
  // The whole page grows with the ledger (more balances); a page of fixed size shows the cost per answer.
  { name: 'GET /inventory?limit=100 p50 (a page of 100 balances)', path: '/inventory?limit=100' },
  { name: 'GET /exposure/JP p50 (a country, every material)', path: '/exposure/JP' },
  { name: 'GET /audit/digest p50 (at the head)', path: '/audit/digest' },
  { name: 'GET /ready p50', path: '/ready' },
] as const;

async function generate(context: BenchContext, size: number): Promise<LedgerFixture> {
  const dataDir = join(context.subfolder(`scale-${size}`), 'data');
  // The generator keeps the whole ledger in memory: about 1 GiB a million events.
  const heapMiB = Math.max(2048, Math.ceil(size / 1_000_000) * 1536);
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      `--max-old-space-size=${heapMiB}`,
      '-r',
      REGISTER_PATHS,
      join(BENCH_DIST, 'generate-child.js'),
      dataDir,
      String(size),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as LedgerFixture;
}

interface FirstStart {
  /** spawn → the first /health answer */
  firstHealthSeconds: number;
  /** spawn → /ready 200 (every read model caught up) */
  readySeconds: number;
  /** the slowest /health answer from the first until ready (a poll that got no answer counts its wait) */
  worstHealthMs: number;
  healthPolls: number;
  /** /health polls after the first answer that got none within the poll's timeout */
  healthUnanswered: number;
  /** the statuses /ready answered on the way (catching-up, ready, ...) */
  readyStatuses: string[];
}

/**
 * Starts the API on a log with no read models and watches its first catch-up: /health every 50 ms (one
 * at a time, each with a timeout) and /ready every 200 ms, until /ready answers 200.
 */
async function firstStart(api: NodeProcess, timeoutMs: number): Promise<FirstStart> {
  let ready = false;
  let readySeconds = Number.NaN;
  let firstHealthSeconds = Number.NaN;
  let worstHealthMs = 0;
  let healthPolls = 0;
  let healthUnanswered = 0;
  const statuses = new Set<string>();
  const since = (at: bigint) => milliseconds(at) / 1000;
  const deadline = Date.now() + timeoutMs;
  const exited = () => api.child.exitCode !== null;

  const health = (async () => {
    while (!ready && !exited() && Date.now() < deadline) {
      const started = process.hrtime.bigint();
      try {
        const response = await fetch(`${api.url}/health`, { signal: AbortSignal.timeout(30_000) });
        await response.arrayBuffer();
        if (Number.isNaN(firstHealthSeconds)) firstHealthSeconds = since(api.startedAt);
        healthPolls += 1;
        worstHealthMs = Math.max(worstHealthMs, milliseconds(started));
      } catch {
        // refused before the port is bound; after that, a poll without an answer
        if (!Number.isNaN(firstHealthSeconds)) {
          healthPolls += 1;
          healthUnanswered += 1;
          worstHealthMs = Math.max(worstHealthMs, milliseconds(started));
        }
      }
      await sleep(HEALTH_POLL_MS);
    }
  })();
  const readiness = (async () => {
    while (!ready && !exited() && Date.now() < deadline) {
      try {
        const response = await fetch(`${api.url}/ready`, { signal: AbortSignal.timeout(30_000) });
        const body = (await response.json()) as { status?: string };
        statuses.add(body.status ?? String(response.status));
        if (response.status === 200) {
          readySeconds = since(api.startedAt);
          ready = true;
        }
      } catch {
        // not listening yet, or no answer in time
      }
      if (!ready) await sleep(READY_POLL_MS);
    }
  })();
  await Promise.all([health, readiness]);
  if (!ready) {
    throw new Error(
      `${exited() ? 'the API exited' : `the API was not ready within ${timeoutMs / 1000} s`}:\n${api.logTail()}`,
    );
  }
  return {
    firstHealthSeconds,
    readySeconds,
    worstHealthMs,
    healthPolls,
    healthUnanswered,
    readyStatuses: [...statuses],
  };
}

interface QueryMeasure {
  p50Ms: number;
  /** the size of the last answer: a query whose answer grows with the ledger costs more for that alone */
  answerBytes: number;
}

/** p50 of `path`: up to `samples` sequential requests, within `budgetMs` (at least 3). */
async function p50(api: NodeProcess, path: string, samples: number, budgetMs: number): Promise<QueryMeasure> {
  const times: number[] = [];
  let answerBytes = 0;
  const until = Date.now() + budgetMs;
  while (times.length < samples && (times.length < 3 || Date.now() < until)) {
    const started = process.hrtime.bigint();
    const response = await fetch(`${api.url}${path}`, {
      headers: { authorization: `Bearer ${BENCH_KEY}` },
      signal: AbortSignal.timeout(600_000),
    });
    answerBytes = (await response.arrayBuffer()).byteLength;
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    times.push(milliseconds(started));
  }
  return { p50Ms: percentile(ascending(times), 0.5), answerBytes };
}

function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

interface SizeMeasures {
  events: number;
  generationSeconds: number;
  start: FirstStart;
  queries: QueryMeasure[];
}

async function measureSize(context: BenchContext, size: number): Promise<SizeMeasures> {
  const fixture = await generate(context, size);
  context.log(
    `scale: ${fixture.events.toLocaleString('en')} events generated in ${fixture.generationSeconds.toFixed(1)} s; first start`,
  );
  const folder = context.subfolder(`scale-${size}`);
  const api = spawnNode(
    API_MAIN,
    { LEDGER_DATA_DIR: fixture.dataDir, LEDGER_API_KEYS_FILE: writeKeyFile(folder) },
    join(folder, 'api.log'),
    await freePort(),
  );
  try {
    const start = await firstStart(api, Math.max(180_000, size / 2));
    const samples = context.options.quick ? 10 : 30;
    const budgetMs = context.options.quick ? 5_000 : 60_000;
    const queries: QueryMeasure[] = [];
    for (const query of QUERIES) queries.push(await p50(api, query.path, samples, budgetMs));
    return { events: fixture.events, generationSeconds: fixture.generationSeconds, start, queries };
  } finally {
    await api.stop();
  }
}

/**
 * The scale table of issue 19: the same seeded ledger at each size (100k and 1M; 10M when asked), each
 * generated straight into the store of a new data folder; the API started on it as `npm start` does.
 */
export async function scaleBenchmark(context: BenchContext): Promise<ScaleTable> {
  const measured: SizeMeasures[] = [];
  for (const size of context.options.scaleSizes) measured.push(await measureSize(context, size));
  const column = (pick: (m: SizeMeasures) => number) => measured.map((m) => round(pick(m), 3));
  const rows: ScaleRow[] = [
    {
      name: 'first start on a log with no read models: spawn to /ready 200',
      unit: 's',
      values: column((m) => m.start.readySeconds),
      aim: '/ready says catching-up with progress meanwhile',
    },
    {
      name: 'first start: spawn to the first /health answer',
      unit: 's',
      values: column((m) => m.start.firstHealthSeconds),
      aim: 'from the moment the port is bound',
    },
    {
      name: `worst /health latency during the first start (polled every ${HEALTH_POLL_MS} ms)`,
      unit: 'ms',
      values: column((m) => m.start.worstHealthMs),
      aim: '≤ 500 ms at 1M',
    },
    ...QUERIES.map((query, index) => ({
      name: query.name,
      unit: 'ms',
      values: column((m) => m.queries[index]!.p50Ms),
      aim: 'grows ≤ 2.5× from 100k to 1M',
    })),
  ];
  const notes = measured.map(
    (m) =>
      `${m.events.toLocaleString('en')} events (generated in ${m.generationSeconds.toFixed(1)} s): ` +
      `${m.start.healthPolls} /health polls during the first start, ${m.start.healthUnanswered} unanswered; ` +
      `/ready answered ${m.start.readyStatuses.join(', ')}; answers ` +
      QUERIES.map((query, index) => `${query.path} ${kilobytes(m.queries[index]!.answerBytes)}`).join(', '),
  );
  return { sizes: measured.map((m) => m.events), rows, notes };
}
