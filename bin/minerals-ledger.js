#!/usr/bin/env node
// The package bin: the compiled CLI with the monorepo's `@ledger/*` imports resolved (run `npm run build` first).
require('../scripts/register-paths.js');
require('../dist/apps/cli/src/main.js');
