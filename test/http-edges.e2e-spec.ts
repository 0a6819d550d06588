import { Logger } from '@nestjs/common';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { storedEvents } from './support/command-checks';
import { expectProblem, KEYS, LedgerHarness } from './support/ledger-harness';

/*
 * What the API answers before a route runs (API.md, after the commands table): 415, 405, nesting,
 * X-Correlation-Id on every response, `instance` without the query string; the key file's SIGHUP
 * reload; the HTTP request counts of /metrics.
 */

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const STOCKPILE = {
  id: 'edge-reserve',
  name: 'Reserve',
  custodian: 'JOGMEC',
  participants: [{ country: 'JP', sharePercent: '100' }],
  effectiveAt: '2026-01-15',
};

/** A request fetch will not send (a GET with a body): status and headers of the answer. */
function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const length = { 'content-length': String(Buffer.byteLength(body)) };
    const request = httpRequest(url, { method, headers: { ...headers, ...length } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** `{"nested":` + depth `[` + depth `]` + `}`: the body of issue 10's repro 5 is depth 2000. */
const nested = (depth: number) => `{"nested":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe('HTTP edges', () => {
  let ledger: LedgerHarness;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
  });
  afterAll(async () => {
    await ledger?.stop();
  });

  /** The head of the log: a refused request must not move it. */
  const head = async () => (await ledger.get('/ready')).body.headPosition;

  describe('415 for a body that is not JSON', () => {
    it.each([
      ['valid JSON sent as text/plain', 'text/plain', JSON.stringify(STOCKPILE)],
      ['a form body', 'application/x-www-form-urlencoded', 'id=edge-form&name=Reserve'],
      ['JSON in a charset other than UTF-8', 'application/json; charset=utf-16le', JSON.stringify(STOCKPILE)],
    ])('refuses %s with 415 unsupported-media-type and appends nothing', async (_what, type, body) => {
      const before = await head();
      const response = await ledger.request('POST', '/stockpiles', {
        as: 'admin',
        rawBody: body,
        headers: { 'content-type': type },
      });
      expectProblem(response, 415, 'unsupported-media-type');
      expect(await head()).toBe(before);
    });

    it('refuses a body without a Content-Type with 415', async () => {
      const response = await fetch(`${ledger.baseUrl}/stockpiles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.admin.key}` },
        body: new TextEncoder().encode(JSON.stringify(STOCKPILE)),
      });
      expect(response.status).toBe(415);
    });

    it('refuses a text body on a query route too', async () => {
      const response = await rawRequest(
        `${ledger.baseUrl}/inventory`,
        'GET',
        { authorization: `Bearer ${KEYS.reader.key}`, 'content-type': 'text/plain' },
        'hello',
      );
      expect(response.status).toBe(415);
    });

    it('reads a POST without a body (Content-Length 0) or a Content-Type as an empty command', async () => {
      // fetch sends `Content-Length: 0` for a POST without a body
      const noBody = await ledger.request('POST', '/stockpiles', { as: 'admin' });
      expectProblem(noBody, 400, 'validation-failed');
    });
  });

  describe('405 for a method the path does not take', () => {
    it('answers 405 method-not-allowed with Allow listing the methods the path takes', async () => {
      const response = await ledger.request('DELETE', '/projects/x', { as: 'admin' });
      expectProblem(response, 405, 'method-not-allowed');
      expect(response.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      const health = await ledger.request('POST', '/health', { body: {} });
      expectProblem(health, 405, 'method-not-allowed');
      expect(health.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    });

    it('names POST for a command path, whatever the id in it', async () => {
      const response = await ledger.request('GET', '/stockpiles/any-id/acquisitions', { as: 'reader' });
      expectProblem(response, 405, 'method-not-allowed');
      expect(response.headers.get('allow')).toBe('OPTIONS, POST');
    });

    it('keeps 404 for a path no route has', async () => {
      expectProblem(await ledger.request('DELETE', '/nowhere', { as: 'admin' }), 404, 'not-found');
      expectProblem(await ledger.request('GET', '/projects/x/nowhere', { as: 'admin' }), 404, 'not-found');
    });

    it('answers HEAD where GET is answered, and OPTIONS with 204 and Allow', async () => {
      expect((await fetch(`${ledger.baseUrl}/health`, { method: 'HEAD' })).status).toBe(200);
      const options = await ledger.request('OPTIONS', '/projects/x');
      expect(options.status).toBe(204);
      expect(options.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    });
  });

  describe('JSON nested deeper than 32 levels', () => {
    it('refuses the 2000-level body of repro 5 with 400 nesting-too-deep, logging no error', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error');
      try {
        const response = await ledger.request('POST', '/stockpiles', { as: 'admin', rawBody: nested(2000) });
        expectProblem(response, 400, 'nesting-too-deep');
        expect(response.body.errors).toEqual([{ field: '(body)', message: expect.any(String) }]);
        expect(logged).not.toHaveBeenCalled();
      } finally {
        logged.mockRestore();
      }
    });

    it('refuses 33 levels and reads 32, counting no bracket inside a string', async () => {
      expectProblem(
        await ledger.request('POST', '/stockpiles', { as: 'admin', rawBody: nested(32) }),
        400,
        'nesting-too-deep',
      );
      // `{"nested":` is the first level: 31 arrays inside it make 32.
      const deepest = await ledger.request('POST', '/stockpiles', { as: 'admin', rawBody: nested(31) });
      expectProblem(deepest, 400, 'validation-failed');
      const inString = await ledger.request('POST', '/stockpiles', {
        as: 'admin',
        body: { ...STOCKPILE, id: 'edge-brackets', name: `\\"${'['.repeat(100)}` },
      });
      expect(inString.body.code).not.toBe('nesting-too-deep');
    });
  });

  describe('X-Correlation-Id', () => {
    it('is on every response, refusals and /health included, a new UUID v7 when none was sent', async () => {
      const answers = await Promise.all([
        ledger.request('GET', '/health'),
        ledger.request('GET', '/inventory'),
        ledger.get('/nowhere'),
        ledger.request('DELETE', '/projects/x', { as: 'admin' }),
        ledger.request('POST', '/stockpiles', {
          as: 'admin',
          rawBody: 'x',
          headers: { 'content-type': 'text/plain' },
        }),
        ledger.request('POST', '/stockpiles', { as: 'admin', rawBody: 'x'.repeat(70 * 1024) }),
        ledger.request('POST', '/stockpiles', { as: 'admin', rawBody: '{' }),
        ledger.post('/stockpiles', {}),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([200, 401, 404, 405, 415, 413, 400, 400]);
      for (const answer of answers) expect(answer.headers.get('x-correlation-id')).toMatch(UUID_V7);
    });

    it("returns the client's id when it is 1 to 128 visible ASCII characters, else a new one", async () => {
      const sent = async (id: string) =>
        (await ledger.get('/health', 'reader', { 'x-correlation-id': id })).headers.get('x-correlation-id');
      expect(await sent('batch-7/line:42')).toBe('batch-7/line:42');
      expect(await sent('c'.repeat(128))).toBe('c'.repeat(128));
      expect(await sent('c'.repeat(129))).toMatch(UUID_V7);
      expect(await sent('c'.repeat(10_000))).toMatch(UUID_V7);
      expect(await sent('with space')).toMatch(UUID_V7);
    });

    it('is the id the command’s events record, sent or made', async () => {
      const sent = await ledger.post('/stockpiles', STOCKPILE, 'admin', { 'x-correlation-id': 'batch-7' });
      expect(sent.status).toBe(201);
      const made = await ledger.post(`/stockpiles/${STOCKPILE.id}/acquisitions`, {
        material: 'gallium',
        quantity: { amount: '5', unit: 't' },
        location: 'Yokohama',
        originCountry: 'CA',
        effectiveAt: '2026-02-01',
      });
      expect(made.status).toBe(200);
      const recorded = storedEvents(ledger, `stockpile-${STOCKPILE.id}`).map((e) => e.metadata.correlationId);
      expect(recorded).toEqual(['batch-7', made.headers.get('x-correlation-id')]);
    });
  });

  describe('instance', () => {
    it('is the path only: a key sent in the query string is never echoed', async () => {
      const secret = KEYS.admin.key;
      const unauthorised = await ledger.request('GET', `/inventory?key=${secret}`);
      expectProblem(unauthorised, 401, 'unauthorized');
      expect(unauthorised.body.instance).toBe('/inventory');
      const notFound = await ledger.request('GET', `/nowhere?key=${secret}`);
      expectProblem(notFound, 404, 'not-found');
      expect(notFound.body.instance).toBe('/nowhere');
      for (const answer of [unauthorised, notFound]) expect(answer.text).not.toContain(secret);
    });
  });

  describe('/metrics', () => {
    /** The value of one line of `ledger_http_requests_total`, 0 when the line is not there yet. */
    const requestCount = async (labels: string) => {
      const metrics = (await ledger.get('/metrics')).text;
      const line = metrics.split('\n').find((l) => l.startsWith(`ledger_http_requests_total{${labels}} `));
      return line === undefined ? 0 : Number(line.split(' ')[1]);
    };

    it('counts requests by route pattern, method and status, never by raw path', async () => {
      const found = 'route="/projects/:id",method="GET",status="404"';
      const refused = 'route="/projects/:id",method="DELETE",status="405"';
      const before = { found: await requestCount(found), refused: await requestCount(refused) };
      for (const id of ['metrics-a', 'metrics-b', 'metrics-c']) await ledger.get(`/projects/${id}`);
      await ledger.request('DELETE', '/projects/metrics-d', { as: 'admin' });
      expect(await requestCount(found)).toBe(before.found + 3);
      expect(await requestCount(refused)).toBe(before.refused + 1);
      const metrics = (await ledger.get('/metrics')).text;
      expect(metrics).toContain('# TYPE ledger_http_requests_total counter');
      expect(metrics).not.toContain('metrics-a');
    });
  });
});

describe('The API key file reloaded on SIGHUP', () => {
  let ledger: LedgerHarness;

  beforeEach(async () => {
    ledger = await LedgerHarness.start();
  });
  afterEach(async () => {
    await ledger?.stop();
  });

  const keyFile = () => join(ledger.dataDir, 'keys.json');
  const status = async (key: string) =>
    (await fetch(`${ledger.baseUrl}/inventory`, { headers: { authorization: `Bearer ${key}` } })).status;

  it('puts a rotated key file in force at once: the new key works, the removed one is 401', async () => {
    const rotated = { ...KEYS.reader, key: 'test-reader-key-rotated01' };
    writeFileSync(keyFile(), JSON.stringify([KEYS.admin, rotated]));
    expect(await status(rotated.key)).toBe(401);
    process.emit('SIGHUP', 'SIGHUP');
    expect(await status(rotated.key)).toBe(200);
    expect(await status(KEYS.reader.key)).toBe(401);
    expect(await status(KEYS.admin.key)).toBe(200);
  });

  it('keeps the keys in force, and logs the entry at fault, when the new file has a mistake', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const promoted = { ...KEYS.reader, name: 'promoted', roles: ['admin'] };
      writeFileSync(keyFile(), JSON.stringify([KEYS.admin, KEYS.reader, promoted]));
      process.emit('SIGHUP', 'SIGHUP');
      expect(logged).toHaveBeenCalledWith(expect.stringMatching(/keys\.json\[2\] \(name "promoted"\)/));
      expect(await status(KEYS.reader.key)).toBe(200);
      expect(await status(KEYS.admin.key)).toBe(200);
      // the reader did not become an admin
      expect((await ledger.post('/stockpiles', STOCKPILE, 'reader')).status).toBe(403);
    } finally {
      logged.mockRestore();
    }
  });
});
