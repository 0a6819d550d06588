import { defineConfig } from 'vite';

// This folder, whatever the working directory (Vite gives a bundled config its original import.meta.url).
const here = decodeURIComponent(new URL('.', import.meta.url).pathname);

/** The API's paths, which `npm run dev:web` forwards to a ledger running on port 3000. */
const API_PATHS = [
  '/exposure',
  '/stockpiles',
  '/inventory',
  '/projects',
  '/export-restrictions',
  '/supply',
  '/reports',
  '/audit',
  '/streams',
  '/ready',
];

export default defineConfig({
  root: here,
  // The API serves the build at /app (apps/api/src/web/web-app.controller.ts).
  base: '/app/',
  // Preact's automatic JSX runtime: no React, no preset plugin.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: `${here}../../dist/web`,
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: Object.fromEntries(API_PATHS.map((path) => [path, 'http://localhost:3000'])),
  },
});
