// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'coverage/**',
      'test-results/**',
      '*.js',
      '*.mjs',
      'bench/results.json',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Quantities and money are exact decimals; a float parse anywhere is a bug waiting to happen.
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'Use the exact decimal helpers.' }],
      'no-restricted-properties': [
        'error',
        { object: 'Number', property: 'parseFloat', message: 'Use the exact decimal helpers.' },
      ],
    },
  },
  {
    // Type-aware rules where a mistake costs most: a promise nobody awaits loses its error (or its
    // ordering), a promise where a boolean or a callback is expected is always truthy, and a switch that
    // misses a case of a union silently does nothing.
    files: ['apps/**/*.ts', 'apps/**/*.tsx', 'libs/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain CommonJS helpers run by node directly (see scripts/register-paths.js).
    files: ['scripts/**/*.js', 'bin/**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', __dirname: 'readonly', module: 'writable' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests read loosely typed JSON responses.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Ports and adapters: only the adapters' own folders talk to a database driver.
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'bench/**/*.ts'],
    ignores: [
      'libs/*/src/sqlite/**',
      'libs/*/src/postgres/**',
      'libs/*/src/eventstoredb/**',
      '**/*.spec.ts',
      'bench/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'better-sqlite3', message: 'Only libs/*/src/sqlite/ adapters import a database driver.' },
            { name: 'pg', message: 'Only libs/*/src/postgres/ adapters import a database driver.' },
            {
              name: '@eventstore/db-client',
              message: 'Only libs/event-store/src/eventstoredb/ imports the EventStoreDB client.',
            },
          ],
        },
      ],
    },
  },
  {
    // The web interface runs in the browser and knows the ledger only through its HTTP API.
    files: ['apps/web/**/*.ts', 'apps/web/**/*.tsx'],
    ignores: ['apps/web/vite.config.mts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', '@ledger/*', '@nestjs/*', 'better-sqlite3', 'pg', '@eventstore/*'],
              message: 'apps/web runs in the browser and reaches the ledger through its API only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure: no framework, no I/O, no clock, no random ids. Time and ids come in the command.
    files: ['libs/domain/**/*.ts'],
    ignores: ['libs/domain/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', '@eventstore/*', '@ledger/*'],
              message: 'libs/domain imports no framework or other lib.',
            },
            {
              group: [
                'better-sqlite3',
                'pg',
                'kysely',
                'class-validator',
                'class-transformer',
                'rxjs',
                'uuid',
              ],
              message: 'libs/domain does no I/O and draws no ids.',
            },
            {
              group: ['fs', 'node:*', 'http', 'https', 'net', 'crypto', 'child_process', 'os', 'path'],
              message: 'libs/domain does no I/O.',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'The clock comes in the command (`now`).',
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'The clock comes in the command (`now`).',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'Ids come in the command.',
        },
        {
          selector: "CallExpression[callee.property.name='randomUUID']",
          message: 'Ids come in the command.',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'parseFloat', message: 'Use the exact decimal helpers.' },
        { name: 'process', message: 'libs/domain reads no environment.' },
        { name: 'fetch', message: 'libs/domain does no I/O.' },
        { name: 'crypto', message: 'Ids come in the command.' },
      ],
    },
  },
);
