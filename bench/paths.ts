import { join } from 'node:path';

/** The repository, seen from the compiled bench (dist/bench/*.js). */
export const REPO_ROOT = join(__dirname, '..', '..');
export const DIST = join(REPO_ROOT, 'dist');
/** What the bench's child processes load first: `@ledger/*` resolved to dist/. */
export const REGISTER_PATHS = join(REPO_ROOT, 'scripts', 'register-paths.js');
/** The API as `npm start` runs it, from the build. */
export const API_MAIN = join(DIST, 'apps', 'api', 'src', 'main.js');
export const BENCH_DIST = join(DIST, 'bench');
/** bench/ in the source tree: its own package.json and node_modules (the peers), results.json. */
export const BENCH_SOURCE = join(REPO_ROOT, 'bench');
