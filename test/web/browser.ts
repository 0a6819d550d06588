import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { DEMO_COMMANDS } from '../../apps/cli/src/commands/seed.command';
import { REPO } from '../support/compiled';
import type { LedgerHarness } from '../support/ledger-harness';

/** jest.config.js registers these tests only when this binary exists. */
export const CHROMIUM = process.env.LEDGER_TEST_CHROMIUM || '/usr/bin/chromium';

/** TOOLCHAIN.md: without the networking flags Chromium keeps calling hosts that this network refuses. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where screenshots go; CI keeps the folder. */
export const RESULTS = join(REPO, 'test-results', 'web');

/** Builds apps/web as `npm run build` does, into a folder of its own for this run. */
export function buildWebApp(): string {
  const outDir = mkdtempSync(join(tmpdir(), 'ledger-web-build-'));
  execFileSync(
    process.execPath,
    [
      join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'),
      'build',
      '--config',
      'apps/web/vite.config.mts',
      '--outDir',
      outDir,
      '--logLevel',
      'warn',
    ],
    { cwd: REPO, stdio: 'inherit' },
  );
  return outDir;
}

/** The demo of `npm run seed`, sent as the seed command sends it (same Idempotency-Keys). */
export async function seedDemo(ledger: LedgerHarness): Promise<string> {
  let position = '0';
  for (const [index, command] of DEMO_COMMANDS.entries()) {
    const response = await ledger.post(command.path, command.body, 'admin', {
      'idempotency-key': `demo-${index}`,
    });
    if (response.status >= 300) throw new Error(`${command.note}: ${response.status} ${response.text}`);
    position = response.body.position;
  }
  return position;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium on a fresh profile (`--user-data-dir`), removed on close. */
export async function openBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'ledger-chromium-'));
  mkdirSync(RESULTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'UTC',
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Every error the page logs or throws: a page under test must log none. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

/** The value of a figure such as "HHI" in a page's list of figures. */
export const figure = (page: Page, label: string): Locator =>
  page.locator('.figures > div', { has: page.locator(`dt:text-is("${label}")`) }).locator('dd');

/** Waits until the figure shows `value`, then returns its text. */
export async function figureOnceShown(page: Page, label: string, value: string): Promise<string | null> {
  const shown = figure(page, label).filter({ hasText: value });
  await shown.waitFor();
  return shown.textContent();
}

/** Each chart's canvas: its size on the page and how many of its pixels are painted. */
export async function drawnCharts(page: Page, atLeast: number) {
  const canvases = page.locator('figure.chart canvas');
  await canvases.nth(atLeast - 1).waitFor();
  return canvases.evaluateAll((elements) =>
    elements.map((element) => {
      const canvas = element as HTMLCanvasElement;
      const box = canvas.getBoundingClientRect();
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha] !== 0) painted++;
      return { width: box.width, height: box.height, painted };
    }),
  );
}

/** The text of each row of the table with this caption (its start), cells joined by " | ". */
export async function tableRows(page: Page, caption: string): Promise<string[]> {
  const table = page.locator('table', { has: page.locator('caption', { hasText: caption }) });
  await table.locator('tbody tr').first().waitFor();
  return table
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) =>
        [...row.querySelectorAll('th, td')]
          .map((cell) => (cell as HTMLElement).innerText.replace(/\s+/g, ' ').trim())
          .join(' | '),
      ),
    );
}
