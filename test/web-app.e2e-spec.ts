import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectProblem, LedgerHarness } from './support/ledger-harness';

/*
 * The web interface at /app (API.md "Web interface"), served from a stand-in build: what the browser
 * tests in test/web exercise with the real one, here without a browser. The page is public, deep links
 * answer the page, and the API's edge rules (405 with Allow, problem+json) hold at /app as everywhere.
 */

const PAGE =
  '<!doctype html><title>Minerals Ledger</title><script type="module" src="/app/assets/index-1a2b.js"></script>';
const SCRIPT = 'console.log("app")';

describe('The web interface at /app', () => {
  let ledger: LedgerHarness;
  let webDir: string;

  beforeAll(async () => {
    webDir = mkdtempSync(join(tmpdir(), 'ledger-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), PAGE);
    writeFileSync(join(webDir, 'assets', 'index-1a2b.js'), SCRIPT);
    writeFileSync(join(webDir, '.env'), 'SECRET=1');
    ledger = await LedgerHarness.start({ LEDGER_WEB_DIR: webDir });
  });
  afterAll(async () => {
    await ledger?.stop();
    rmSync(webDir, { recursive: true, force: true });
  });

  it('serves the page without a key, with a policy that lets it load only its own scripts and the API', async () => {
    const response = await ledger.request('GET', '/app');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.text).toBe(PAGE);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-correlation-id')).toBeTruthy();
  });

  it('answers the page for any deep link under /app, so a shared link works on reload', async () => {
    for (const path of ['/app/', '/app/exposure/JP/gallium?asOf=2026-03-01&knownAt=24', '/app/audit']) {
      const response = await ledger.request('GET', path);
      expect({ path, status: response.status, text: response.text }).toEqual({
        path,
        status: 200,
        text: PAGE,
      });
    }
  });

  it('serves the hashed scripts as immutable, and a missing file as 404, never as the page', async () => {
    const script = await ledger.request('GET', '/app/assets/index-1a2b.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
    expect(script.headers.get('cache-control')).toMatch(/immutable/);
    expectProblem(await ledger.request('GET', '/app/assets/index-0000.js'), 404, 'not-found');
  });

  it('serves nothing outside the build folder and no hidden file', async () => {
    for (const path of ['/app/.env', '/app/..%2f..%2fpackage.json', '/app/%2e%2e/keys.json']) {
      const response = await ledger.request('GET', path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.text).not.toContain('SECRET');
    }
  });

  it('answers 405 with Allow for another method, HEAD like GET, and OPTIONS with Allow', async () => {
    const post = await ledger.request('POST', '/app/exposure', { body: {} });
    expectProblem(post, 405, 'method-not-allowed');
    expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect((await fetch(`${ledger.baseUrl}/app/projects`, { method: 'HEAD' })).status).toBe(200);
    const options = await ledger.request('OPTIONS', '/app');
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('leaves the API behind its keys: the page is public, the data it shows is not', async () => {
    expectProblem(await ledger.request('GET', '/exposure/JP/gallium'), 401, 'unauthorized');
  });

  it('counts its requests under the /app routes, not per path', async () => {
    await ledger.request('GET', '/app/stockpiles/some-stockpile');
    const metrics = (await ledger.get('/metrics', 'admin')).text;
    expect(metrics).toMatch(/ledger_http_requests_total\{route="\/app\/\*path",method="GET",status="200"\}/);
    expect(metrics).not.toContain('some-stockpile');
  });

  it('says how to build it when the build is missing', async () => {
    const unbuilt = await LedgerHarness.start({ LEDGER_WEB_DIR: join(webDir, 'not-built') });
    try {
      const response = await unbuilt.request('GET', '/app/exposure');
      expectProblem(response, 404, 'not-found');
      expect(response.body.detail).toMatch(/npm run build/);
    } finally {
      await unbuilt.stop();
    }
  });
});
