import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { sendProblem } from '../problems/problem-details.filter';
import { Problem } from '../problems/problems';

/** Where a request's path stands in the API's routes. */
export interface RouteMatch {
  /** the pattern the request belongs to (`/projects/:id`) */
  pattern: string;
  /** every method the path takes, HEAD and OPTIONS included: the `Allow` header */
  allowed: ReadonlySet<string>;
  /** whether a controller's route takes the request's method */
  routed: boolean;
}

const ANY_METHOD = '*';

const joinPath = (...parts: string[]): string =>
  `/${parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/')}`;

const asList = (paths: string | string[] | undefined): string[] =>
  paths === undefined ? [''] : Array.isArray(paths) ? paths : [paths];

/** One route a controller declares: its pattern (`/projects/:id`), method, handler and controller. */
export interface DeclaredRoute {
  pattern: string;
  method: RequestMethod;
  controller: Type<unknown>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- a handler as Nest's metadata holds it
  handler: Function;
}

/** Every route of the controllers, read from Nest's route metadata: the one list the API docs and 405s share. */
export function* routesOf(controllers: readonly Type<unknown>[]): Generator<DeclaredRoute> {
  const scanner = new MetadataScanner();
  for (const controller of controllers) {
    const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller) as string | string[]);
    for (const name of scanner.getAllMethodNames(controller.prototype as object)) {
      const handler = (controller.prototype as Record<string, unknown>)[name];
      if (typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      const paths = asList(Reflect.getMetadata(PATH_METADATA, handler) as string | string[]);
      for (const prefix of prefixes) {
        for (const path of paths) yield { pattern: joinPath(prefix, path), method, controller, handler };
      }
    }
  }
}

/** The application's controllers. */
export function controllersOf(app: INestApplicationContext): Type<unknown>[] {
  return new DiscoveryService(app.get(ModulesContainer))
    .getControllers()
    .map((wrapper) => wrapper.metatype as Type<unknown> | null)
    .filter((metatype): metatype is Type<unknown> => typeof metatype === 'function');
}

/** `:name` matches one segment, `*name` or `{*name}` the rest of the path; the rest is literal. */
function matcherOf(pattern: string): RegExp {
  const segments = pattern
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      if (segment.startsWith(':')) return '/[^/]+';
      if (/^(\*|\{\*)/.test(segment)) return '(?:/.*)?';
      return `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`;
    });
  // As Express matches: case-insensitive, with an optional trailing slash.
  return new RegExp(`^${segments.join('')}/?$`, 'i');
}

/**
 * The API's routes as the controllers declare them, read from Nest's route metadata, so that a route
 * added to a controller is known here without anyone listing it. It answers which methods a path takes
 * (405 and its `Allow`) and which pattern a path belongs to (the `route` label of the HTTP metrics, which
 * must not grow with every id a client sends).
 */
export class RouteTable {
  private readonly entries: { pattern: string; matcher: RegExp; methods: Set<string> }[] = [];
  /**
   * Answers by method and the patterns a path matches: few combinations exist, while paths (with their
   * ids) are unbounded, and building the answer (sets of methods) for every request was a cost of its own.
   */
  private readonly answers = new Map<string, RouteMatch>();

  static fromControllers(controllers: readonly Type<unknown>[]): RouteTable {
    const table = new RouteTable();
    for (const route of routesOf(controllers)) table.add(route.pattern, route.method);
    return table;
  }

  /** The routes of the application's controllers (the API docs, served by Swagger, are not among them). */
  static of(app: INestApplicationContext): RouteTable {
    return RouteTable.fromControllers(controllersOf(app));
  }

  private add(pattern: string, method: RequestMethod): void {
    let entry = this.entries.find((candidate) => candidate.pattern === pattern);
    if (!entry) {
      entry = { pattern, matcher: matcherOf(pattern), methods: new Set() };
      this.entries.push(entry);
    }
    entry.methods.add(method === RequestMethod.ALL ? ANY_METHOD : RequestMethod[method]);
    this.answers.clear();
  }

  /**
   * The pattern a path belongs to and the methods it takes there, or undefined for a path no route
   * has. Among patterns that match (`/audit/log` and `/audit/:what`), one that takes the method wins.
   * The answer is shared between requests: it must not be changed.
   */
  match(method: string, path: string): RouteMatch | undefined {
    let matchingIndexes = '';
    for (let index = 0; index < this.entries.length; index++) {
      if (this.entries[index]!.matcher.test(path)) matchingIndexes += `${index},`;
    }
    if (matchingIndexes === '') return undefined;
    const key = `${method} ${matchingIndexes}`;
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = this.answer(method, path);
      // Node's parser knows a fixed list of methods, so keys are few; the cap is a guard, not a limit met.
      if (this.answers.size < 10_000) this.answers.set(key, answer);
    }
    return answer;
  }

  private answer(method: string, path: string): RouteMatch {
    const matching = this.entries.filter((entry) => entry.matcher.test(path));
    const taking = matching.find((entry) => takes(entry.methods, method));
    const allowed = new Set(matching.flatMap((entry) => [...entry.methods]));
    // HEAD follows GET (Express answers it from the GET route); OPTIONS is answered with `Allow`.
    if (allowed.has('GET')) allowed.add('HEAD');
    allowed.add('OPTIONS');
    return { pattern: (taking ?? matching[0]!).pattern, allowed, routed: taking !== undefined };
  }
}

const takes = (methods: ReadonlySet<string>, method: string): boolean =>
  methods.has(ANY_METHOD) || methods.has(method) || (method === 'HEAD' && methods.has('GET'));

/** Sorted, for a stable header; a path with a route taking any method never gets here. */
const allowHeader = (methods: ReadonlySet<string>): string => [...methods].sort().join(', ');

const routes = new WeakMap<Request, RouteMatch>();

/** Where the request stands in the routes, once `methodsOfRoutes` has seen it; undefined: no route. */
export const routeOf = (request: Request): RouteMatch | undefined => routes.get(request);

/**
 * Before authentication and body parsing: a method the path does not take is 405 with `Allow` (not
 * the router's 404, which would tell a client the path does not exist), OPTIONS answers `Allow`, and a
 * path no route has goes on to the router's 404.
 */
export function methodsOfRoutes(table: RouteTable) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const match = table.match(request.method, request.path);
    if (match) routes.set(request, match);
    if (!match || match.routed) return next();
    const allow = allowHeader(match.allowed);
    if (request.method === 'OPTIONS') {
      response.setHeader('Allow', allow);
      response.status(204).end();
      return;
    }
    sendProblem(
      response,
      new Problem(
        405,
        'method-not-allowed',
        'The path does not take this method',
        `${match.pattern} takes ${allow}`,
        {},
        { Allow: allow },
      ),
      request.originalUrl,
    );
  };
}
