/** Unit tests sit beside the code; tests that cross a process or HTTP boundary live under test/. */
const moduleNameMapper = {
  '^@ledger/domain$': '<rootDir>/libs/domain/src',
  '^@ledger/event-store$': '<rootDir>/libs/event-store/src',
  '^@ledger/projections$': '<rootDir>/libs/projections/src',
};
// Type checking is `tsc --noEmit` in `npm test`; here ts-jest only transpiles, which is much faster.
const transform = { '^.+\\.ts$': ['ts-jest', { isolatedModules: true }] };

module.exports = {
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
  ],
};
