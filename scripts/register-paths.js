// Resolves the monorepo's `@ledger/*` imports to the compiled libraries under dist/ at run time
// (tsc keeps the aliases as written). Loaded with `node -r ./scripts/register-paths.js`.
const { join } = require('node:path');
const { register } = require('tsconfig-paths');

register({
  baseUrl: join(__dirname, '..', 'dist'),
  paths: {
    '@ledger/domain': ['libs/domain/src'],
    '@ledger/event-store': ['libs/event-store/src'],
    '@ledger/projections': ['libs/projections/src'],
  },
});
