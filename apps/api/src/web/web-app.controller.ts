import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { Public } from '../auth/auth.decorators';
import type { LedgerConfig } from '../config/ledger-config';
import { NotFoundProblem } from '../problems/problems';
import { LEDGER_CONFIG } from '../wiring/tokens';

/**
 * The page may load its own scripts, styles and API only, nothing inline and nothing from elsewhere: the
 * API key sits in the tab's sessionStorage, where any script the page ran could read it.
 */
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  // A new build must reach the next reload: the page names its scripts by content hash.
  'Cache-Control': 'no-cache',
};

/** Vite names every file under assets/ by its content hash, so a cached copy never goes stale. */
const HASHED_ASSET_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'public, max-age=31536000, immutable',
};

/** A path that names a file (`assets/index-1a2b.js`, `favicon.svg`) rather than a page of the app. */
const NAMES_A_FILE = /\.[a-z0-9]+$/i;

/**
 * The web interface (apps/web, built into `webDir`) at /app. Its pages are routes of one index.html, so
 * every path under /app that names no file answers that page, and a deep link works on reload. It is
 * public: the page holds no data, and its calls to the API carry the user's key. As a controller, /app is
 * in the route table like any route: other methods are 405 with `Allow`, and metrics count it as /app.
 */
@ApiExcludeController()
@Public()
@Controller('app')
export class WebAppController {
  private readonly root: string;

  constructor(@Inject(LEDGER_CONFIG) config: LedgerConfig) {
    this.root = resolve(config.webDir);
  }

  @Get(['', '*path'])
  async serve(@Param('path') segments: string[] | undefined, @Res() response: Response): Promise<void> {
    const path = (segments ?? []).join('/');
    const file = path === '' ? undefined : this.fileAt(segments ?? []);
    if (file) {
      return send(response, file, path.startsWith('assets/') ? HASHED_ASSET_HEADERS : PAGE_HEADERS);
    }
    // A missing script must not be answered with the page: the browser would report HTML as its syntax error.
    if (NAMES_A_FILE.test(path)) throw new NotFoundProblem(`the web interface has no file ${path}`);
    const index = this.fileAt(['index.html']);
    if (!index) {
      throw new NotFoundProblem(`the web interface is not built in ${this.root}: run \`npm run build\``);
    }
    return send(response, index, PAGE_HEADERS);
  }

  /** The file the segments name inside the root, never outside it nor a hidden one; undefined if none. */
  private fileAt(segments: readonly string[]): string | undefined {
    if (segments.some((segment) => segment === '' || segment.startsWith('.') || segment.includes('\0'))) {
      return undefined;
    }
    const file = resolve(join(this.root, ...segments));
    if (!file.startsWith(this.root + sep)) return undefined;
    try {
      return statSync(file).isFile() ? file : undefined;
    } catch {
      return undefined;
    }
  }
}

function send(response: Response, file: string, headers: Record<string, string>): Promise<void> {
  return new Promise((done, fail) =>
    response.sendFile(file, { headers, cacheControl: false, dotfiles: 'deny' }, (error) =>
      // A client gone mid-file has nobody left to tell; anything else becomes a problem answer.
      error && !response.headersSent ? fail(error) : done(),
    ),
  );
}
