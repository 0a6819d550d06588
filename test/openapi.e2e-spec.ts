import { RequestMethod } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_COMMANDS } from '../apps/cli/src/commands/seed.command';
import { controllersOf, routesOf } from '../apps/api/src/http/route-table';
import { REPO } from './support/compiled';
import { type JsonResponse, LedgerHarness } from './support/ledger-harness';
import { schemaErrors } from './support/openapi-schema';

type Operation = { method: string; path: string; operation: any };

/** Every operation of the document. */
const operationsOf = (document: any): Operation[] =>
  Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, any>).map(([method, operation]) => ({ method, path, operation })),
  );

/** The audit engineer documents /audit and /streams themselves: their answers are not checked here yet. */
const isAudit = (path: string) => /^\/(audit|streams)\b/.test(path);

/** A concrete URL for a documented path: each parameter gets a value the demo seed made. */
const IDS: Record<string, string> = {
  projects: 'nmg-becancour',
  stockpiles: 'ca-jp-critical-minerals',
  'export-restrictions': 'cn-graphite-2023',
};
const concrete = (path: string): string =>
  path
    .replace(/^\/([a-z-]+)\/\{id\}/, (_, resource: string) => `/${resource}/${IDS[resource]}`)
    .replace('{offtakeId}', 'panasonic-aam')
    .replace('{country}', 'JP')
    .replace('{material}', 'gallium')
    .replace('{streamId}', 'project-nmg-becancour');
/** The documented path of a concrete one. */
const documentedPath = (path: string): string =>
  path
    .replace(/^\/(projects|stockpiles|export-restrictions)\/[^/]+/, '/$1/{id}')
    .replace(/\/offtakes\/[^/]+\//, '/offtakes/{offtakeId}/');

describe('The OpenAPI document', () => {
  let ledger: LedgerHarness;
  let document: any;

  beforeAll(async () => {
    ledger = await LedgerHarness.start();
    document = (await ledger.request('GET', '/openapi.json')).body;
  });
  afterAll(async () => {
    await ledger.stop();
  });

  /** The document's schema of an answer, by status and media type. */
  function answerSchema(operation: any, status: number, mediaType: string): any {
    const response = operation.responses[status];
    if (!response) throw new Error(`status ${status} is not documented`);
    const schema = response.content?.[mediaType]?.schema;
    if (!schema) throw new Error(`status ${status} documents no ${mediaType} body`);
    return schema;
  }

  function expectDocumented(method: string, path: string, response: JsonResponse): void {
    const operation = document.paths[path][method];
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]!;
    const errors = schemaErrors(document, answerSchema(operation, response.status, mediaType), response.body);
    expect({ route: `${method.toUpperCase()} ${path} ${response.status}`, errors }).toEqual({
      route: `${method.toUpperCase()} ${path} ${response.status}`,
      errors: [],
    });
  }

  describe('security', () => {
    it('says exactly what the guard enforces: a route answers 401 without a key if and only if it needs one', async () => {
      const seen: string[] = [];
      for (const { method, path, operation } of operationsOf(document)) {
        const response = await ledger.request(method.toUpperCase(), concrete(path), {
          ...(method === 'post' ? { body: {} } : {}),
        });
        const needsKey = operation.security?.length > 0;
        expect({ route: `${method} ${path}`, unauthorized: response.status === 401 }).toEqual({
          route: `${method} ${path}`,
          unauthorized: needsKey,
        });
        if (needsKey) expect(operation.security).toEqual([{ bearer: [] }]);
        seen.push(`${method.toUpperCase()} ${path}`);
      }
      // public by name in API.md; /metrics needs a key
      expect(
        operationsOf(document)
          .filter((o) => o.operation.security?.length === 0)
          .map((o) => o.path),
      ).toEqual(['/health', '/ready']);
      expect(seen).toContain('GET /metrics');
      // the document and the docs are served without a key
      for (const path of ['/openapi.json', '/openapi.yaml', '/docs']) {
        expect((await ledger.request('GET', path)).status).toBe(200);
      }
    });

    it('documents every route the controllers declare, and calls the key an opaque bearer token', () => {
      // the web interface's pages are HTML for browsers, left out of the API's document on purpose
      const documented = controllersOf(ledger.application).filter(
        (controller) => !Reflect.getMetadata(DECORATORS.API_EXCLUDE_CONTROLLER, controller),
      );
      const routes = [...routesOf(documented)].map(
        (route) => `${RequestMethod[route.method]} ${route.pattern.replace(/:(\w+)/g, '{$1}')}`,
      );
      expect(
        operationsOf(document)
          .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
          .sort(),
      ).toEqual(routes.sort());
      // a method a path does not take: 405 with Allow, for every path
      expect(document.components.responses.MethodNotAllowed.headers.Allow).toBeDefined();
      expect(document.components.securitySchemes).toEqual({
        bearer: { type: 'http', scheme: 'bearer', description: expect.any(String) },
      });
    });
  });

  describe('answers', () => {
    it('gives every route a success schema, and every refusal the problem schema with its codes', () => {
      for (const { method, path, operation } of operationsOf(document).filter(({ path }) => !isAudit(path))) {
        const route = `${method.toUpperCase()} ${path}`;
        const statuses = Object.keys(operation.responses).map(Number);
        const successes = statuses.filter((status) => status < 300);
        expect({ route, successes: successes.length > 0 }).toEqual({ route, successes: true });
        for (const status of successes) {
          const content = operation.responses[status].content;
          expect({ route, status, schemas: Object.values(content).every((c: any) => c.schema) }).toEqual({
            route,
            status,
            schemas: true,
          });
        }
        for (const status of statuses.filter((s) => s >= 400)) {
          // not ready is an answer of its own: the readiness, naming what is behind or stopped
          if (path === '/ready' && status === 503) continue;
          const schema = operation.responses[status].content['application/problem+json'].schema;
          expect(schema.allOf[0]).toEqual({ $ref: '#/components/schemas/ProblemDto' });
          expect(schema.allOf[1].properties.code.enum.length).toBeGreaterThan(0);
        }
        expect(statuses).toContain(500);
        for (const status of statuses) {
          expect(operation.responses[status].headers['X-Correlation-Id']).toBeDefined();
        }
        expect(operation.parameters.map((p: any) => p.name)).toContain('X-Correlation-Id');
      }
    });

    it('gives each command its status, 201 only where it creates an entity, with its headers and refusals', () => {
      const commands = operationsOf(document).filter(({ method }) => method === 'post');
      const successes = Object.fromEntries(
        commands.map(({ path, operation }) => [
          path,
          Object.keys(operation.responses)
            .map(Number)
            .filter((status) => status < 300),
        ]),
      );
      expect(successes).toEqual({
        '/projects': [201],
        '/projects/{id}/capacity': [200],
        '/projects/{id}/stage': [200],
        '/projects/{id}/financings': [200],
        '/projects/{id}/offtakes': [200],
        '/projects/{id}/offtakes/{offtakeId}/deliveries': [200],
        '/projects/{id}/offtakes/{offtakeId}/termination': [200],
        '/export-restrictions': [201],
        '/export-restrictions/{id}/lift': [200],
        '/stockpiles': [201],
        '/stockpiles/{id}/acquisitions': [200],
        '/stockpiles/{id}/releases': [200],
        '/stockpiles/{id}/transfers': [200],
        // a country's first statistic starts its stream
        '/supply/trade-flows': [200, 201],
        '/supply/consumption': [200, 201],
      });
      for (const { path, operation } of commands) {
        const codes = (status: number) =>
          operation.responses[status]?.content['application/problem+json'].schema.allOf[1].properties.code
            .enum;
        expect(operation.parameters.map((p: any) => p.name)).toEqual(
          expect.arrayContaining(['Idempotency-Key', 'If-Match', 'X-Correlation-Id']),
        );
        for (const status of successes[path]!) expect(operation.responses[status].headers.ETag).toBeDefined();
        expect(codes(400)).toEqual(
          expect.arrayContaining(['validation-failed', 'out-of-range', 'nesting-too-deep', 'invalid-json']),
        );
        expect(codes(409)).toEqual(['conflict']);
        expect(codes(412)).toEqual(['stale-revision']);
        expect(codes(413)).toEqual(['payload-too-large']);
        expect(codes(415)).toEqual(['unsupported-media-type']);
        expect(codes(503)).toEqual(['unavailable', 'stream-busy', 'store-access-denied']);
        expect(operation.responses[503].headers['Retry-After']).toBeDefined();
        expect(operation.responses[401].headers['WWW-Authenticate']).toBeDefined();
        expect(codes(404) !== undefined).toBe(/\{id\}/.test(path));
      }
    });

    it('names on the commands of each aggregate every rule code its decider refuses with', () => {
      const domain = join(REPO, 'libs', 'domain', 'src');
      const shared = readFileSync(join(domain, 'shared', 'time-rules.ts'), 'utf8');
      const sharedCodes = new Map(
        [...shared.matchAll(/export function (\w+)[\s\S]*?ruleBroken\(\s*'([a-z0-9-]+)'/g)].map((m) => [
          m[1]!,
          m[2]!,
        ]),
      );
      for (const [aggregate, prefix] of [
        ['project', '/projects'],
        ['stockpile', '/stockpiles'],
        ['export-restriction', '/export-restrictions'],
        ['supply', '/supply'],
      ] as const) {
        const source = readdirSync(join(domain, aggregate))
          .filter((file) => file.endsWith('.decide.ts'))
          .map((file) => readFileSync(join(domain, aggregate, file), 'utf8'))
          .join('\n');
        const fromSource = new Set([...source.matchAll(/ruleBroken\(\s*'([a-z0-9-]+)'/g)].map((m) => m[1]!));
        for (const [rule, code] of sharedCodes) if (source.includes(`${rule}(`)) fromSource.add(code);
        const documented = new Set(
          operationsOf(document)
            .filter(({ method, path }) => method === 'post' && path.startsWith(prefix))
            .flatMap(({ operation }) =>
              operation.responses[422]
                ? operation.responses[422].content['application/problem+json'].schema.allOf[1].properties.code
                    .enum
                : [],
            ),
        );
        expect({ aggregate, codes: [...documented].sort() }).toEqual({
          aggregate,
          codes: [...fromSource].sort(),
        });
      }
    });

    it('matches what the ledger answers: every command of the demo seed, every query on it, and refusals', async () => {
      let position = '0';
      for (const command of DEMO_COMMANDS) {
        const response = await ledger.post(command.path, command.body);
        expectDocumented('post', documentedPath(command.path), response);
        position = response.body.position;
      }
      const queries = operationsOf(document).filter(
        ({ method, path }) => method === 'get' && !isAudit(path) && !['/feed', '/metrics'].includes(path),
      );
      const variants: Record<string, string[]> = {
        '/export-restrictions/timeline': [
          'importer=JP&material=graphite-anode',
          'importer=US&material=gallium',
        ],
        '/reports/financing': [
          'groupBy=stage',
          'groupBy=instrument&asOf=2024-03-01',
          'groupBy=financierCountry',
        ],
        '/exposure/{country}/{material}': ['', 'asOf=2026-03-01', 'knownAt=5'],
        '/projects/{id}': ['', 'asOf=2028-01-01'],
        '/projects/{id}/offtake-book': ['asOf=2028-01-01', 'material=graphite-anode'],
        '/export-restrictions': ['', 'activeOn=2026-02-01&importer=JP'],
        '/projects': ['', 'limit=1', 'buyer=JP'],
        '/stockpiles': ['', 'material=gallium'],
        '/supply/trade-flows': ['', 'limit=2'],
      };
      for (const { path } of queries) {
        for (const query of variants[path] ?? ['']) {
          const url = `${concrete(path)}?${query}${query ? '&' : ''}minPosition=${position}`;
          const response = await ledger.get(url, 'auditor');
          expect({ url, status: response.status }).toEqual({ url, status: 200 });
          expectDocumented('get', path, response);
        }
      }
      // refusals: shape, authentication, a rule, a stale revision, an unknown entity, the read models' wait
      expectDocumented(
        'post',
        '/stockpiles/{id}/releases',
        await ledger.post('/stockpiles/ca-jp-critical-minerals/releases', { material: 'gallium' }),
      );
      expectDocumented('get', '/projects', await ledger.request('GET', '/projects'));
      expectDocumented(
        'post',
        '/supply/trade-flows',
        await ledger.post('/supply/trade-flows', {
          importer: 'JP',
          exporter: 'JP',
          material: 'gallium',
          year: 2024,
          annualQuantity: { amount: '1', unit: 't' },
        }),
      );
      expectDocumented(
        'post',
        '/projects/{id}/stage',
        await ledger.post('/projects/nmg-becancour/stage', { stage: 'production' }, 'admin', {
          'if-match': '"0"',
        }),
      );
      expectDocumented('get', '/projects/{id}', await ledger.get('/projects/nowhere'));
      expectDocumented('get', '/inventory', await ledger.get(`/inventory?knownAt=${BigInt(position) + 5n}`));
      expectDocumented('get', '/health', await ledger.request('GET', '/health'));
    });
  });
});
