/**
 * `npm run test:esdb`: the EventStore contract and the HTTP scenarios against a REAL EventStoreDB named by
 * EVENTSTORE_CONNECTION_STRING (skipped, with a message, when it is not set). Not part of `npm test`: the
 * default config does not match `*.esdb-spec.ts`. CI uses the gRPC test double instead (test/support/esdb-double).
 */
const [unit] = require('./jest.config.js').projects;

if (!process.env.EVENTSTORE_CONNECTION_STRING) {
  console.log(
    '\nEVENTSTORE_CONNECTION_STRING is not set: skipping the suites against a real EventStoreDB.\n' +
      'Start one with `docker compose up eventstore`, then run\n' +
      '  EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false npm run test:esdb\n',
  );
}

module.exports = {
  displayName: 'esdb',
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.esdb-spec.ts'],
  moduleNameMapper: unit.moduleNameMapper,
  transform: unit.transform,
  testTimeout: 30_000,
};
