import type { INestApplication, Type } from '@nestjs/common';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLedgerApp } from '../../apps/api/src/bootstrap';
import { loadConfig } from '../../apps/api/src/config/ledger-config';

/** The API keys every end-to-end test may use, by holder. */
export const KEYS = {
  admin: { key: 'test-admin-key-0000000001', name: 'ops', roles: ['admin'], countries: [] },
  jogmec: { key: 'test-jogmec-key-000000001', name: 'jogmec', roles: ['recorder'], countries: ['JP'] },
  nrcan: { key: 'test-nrcan-key-0000000001', name: 'nrcan', roles: ['recorder'], countries: ['CA'] },
  bafa: { key: 'test-bafa-key-00000000001', name: 'bafa', roles: ['recorder'], countries: ['DE'] },
  reader: { key: 'test-reader-key-000000001', name: 'iea-reports', roles: ['reader'], countries: [] },
  auditor: { key: 'test-auditor-key-00000001', name: 'audit-office', roles: ['auditor'], countries: [] },
} as const;
export type KeyHolder = keyof typeof KEYS;

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/**
 * A real ledger on a random loopback port with its own data folder; requests go over HTTP with fetch.
 * `restart()` closes the app and opens a new one on the same data, as a process restart would.
 */
export class LedgerHarness {
  private app: INestApplication | undefined;
  baseUrl = '';

  private constructor(
    readonly dataDir: string,
    private readonly env: Record<string, string>,
    /** a harness opened beside another one shares its folder and leaves removing it to that one */
    private readonly ownsDataDir = true,
  ) {}

  /** `env` adds to the test's configuration, e.g. `{ LEDGER_PROJECTOR: 'external' }`. */
  static async start(env: Record<string, string> = {}): Promise<LedgerHarness> {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
    writeFileSync(join(dataDir, 'keys.json'), JSON.stringify(Object.values(KEYS)));
    const harness = new LedgerHarness(dataDir, env);
    await harness.open();
    return harness;
  }

  /**
   * A second ledger process on the same data folder (as two API processes on one host would be), by
   * default with its projector left to the first.
   */
  static async beside(
    first: LedgerHarness,
    env: Record<string, string> = { LEDGER_PROJECTOR: 'external' },
  ): Promise<LedgerHarness> {
    const harness = new LedgerHarness(first.dataDir, { ...first.env, ...env }, false);
    await harness.open();
    return harness;
  }

  private async open(): Promise<void> {
    const config = loadConfig({
      PORT: '0',
      LEDGER_DATA_DIR: this.dataDir,
      LEDGER_API_KEYS_FILE: join(this.dataDir, 'keys.json'),
      ...this.env,
    });
    this.app = await createLedgerApp(config, {
      logger: process.env.LEDGER_TEST_LOG ? ['error', 'warn'] : false,
    });
    await this.app.listen(0, '127.0.0.1');
    const address = this.app.getHttpServer().address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
  }

  /** The running app, for a test that must look at it from inside (its routes, its providers). */
  get application(): INestApplication {
    if (!this.app) throw new Error('the ledger is not running');
    return this.app;
  }

  /** One of the running app's providers, for a test that must watch the server from inside. */
  service<T>(token: Type<T> | symbol): T {
    return this.application.get(token);
  }

  async restart(): Promise<void> {
    await this.app?.close();
    await this.open();
  }

  async stop(): Promise<void> {
    await this.app?.close();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  async request<T = any>(
    method: string,
    path: string,
    options: { as?: KeyHolder; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<JsonResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.as) headers.authorization = `Bearer ${KEYS[options.as].key}`;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    if (/json/.test(response.headers.get('content-type') ?? '')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  get = <T = any>(path: string, as: KeyHolder = 'reader', headers?: Record<string, string>) =>
    this.request<T>('GET', path, { as, ...(headers ? { headers } : {}) });
  post = <T = any>(path: string, body: unknown, as: KeyHolder = 'admin', headers?: Record<string, string>) =>
    this.request<T>('POST', path, { as, body, ...(headers ? { headers } : {}) });
}

/** Asserts an RFC 9457 problem with the given status and code. */
export function expectProblem(response: JsonResponse, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status });
}
