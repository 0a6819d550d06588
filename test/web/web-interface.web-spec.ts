import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { KEYS, type KeyHolder, LedgerHarness } from '../support/ledger-harness';
import {
  type Browser,
  buildWebApp,
  consoleErrors,
  drawnCharts,
  figure,
  figureOnceShown,
  openBrowser,
  RESULTS,
  seedDemo,
  tableRows,
} from './browser';

/*
 * The web interface (issue 16) in a real browser, on the demo data of `npm run seed`: each page shows the
 * figures README states, draws its charts, moves in both times through its URL, and logs no error.
 */

jest.setTimeout(60_000);

/** README: Japan's exposure to gallium on 1 March 2026, as the ledger knew it at position 24. */
const GALLIUM = '/app/exposure/JP/gallium?asOf=2026-03-01&knownAt=24';

describe('The web interface', () => {
  let ledger: LedgerHarness;
  let webDir: string;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    webDir = buildWebApp();
    ledger = await LedgerHarness.start({ LEDGER_WEB_DIR: webDir });
    await seedDemo(ledger);
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await ledger?.stop();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  /** A new tab; with a holder, its key is already in the tab's session storage, as if pasted before. */
  async function openTab(holder?: KeyHolder): Promise<Page> {
    page = await browser.context.newPage();
    errors = consoleErrors(page);
    if (holder) {
      await page.addInitScript((key) => sessionStorage.setItem('ledger.apiKey', key), KEYS[holder].key);
    }
    return page;
  }
  const open = (path: string) => page.goto(`${ledger.baseUrl}${path}`);
  const screenshot = (name: string) =>
    page.screenshot({ path: join(RESULTS, `${name}.png`), fullPage: true });

  afterEach(async () => {
    await page?.close();
  });

  it('asks for the key once and keeps it in the tab’s session storage, never in a URL or a cookie', async () => {
    await openTab();
    await open(GALLIUM);
    await page.getByLabel('API key', { exact: true }).fill(KEYS.reader.key);
    await page.getByRole('button', { name: 'Use this key' }).click();
    expect(await figureOnceShown(page, 'HHI', '9,740.3')).toBe('9,740.3');

    expect(await page.evaluate(() => sessionStorage.getItem('ledger.apiKey'))).toBe(KEYS.reader.key);
    expect(page.url()).toBe(`${ledger.baseUrl}${GALLIUM}`);
    expect(await browser.context.cookies()).toEqual([]);
    await page.reload();
    expect(await figureOnceShown(page, 'HHI', '9,740.3')).toBe('9,740.3');
    expect(errors).toEqual([]);
  });

  it('asks again when the ledger refuses the key', async () => {
    await openTab();
    await open('/app/exposure');
    await page.getByLabel('API key', { exact: true }).fill('not-a-key');
    await page.getByRole('button', { name: 'Use this key' }).click();
    await page.getByText('The ledger refused the key').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('ledger.apiKey'))).toBeNull();
    // the browser reports each refused request itself; nothing else may fail
    expect(errors.filter((error) => !/status of 401/.test(error))).toEqual([]);
  });

  it('shows Japan’s gallium exposure from a deep link with the README’s figures, its sources and drawn charts', async () => {
    await openTab('reader');
    await open(GALLIUM);
    expect(await figureOnceShown(page, 'HHI', '9,740.3')).toBe('9,740.3');
    expect(await figure(page, 'Restricted share').textContent()).toBe('98.68%');
    expect(await figure(page, 'Top 3 share').textContent()).toBe('100%');
    expect(await figure(page, 'Consumption (2024)').textContent()).toBe('80 t');
    expect(await figure(page, 'Stockpile holding').textContent()).toBe('7.2 t');
    expect(await figure(page, 'Days of cover').textContent()).toBe('32.85 days');
    expect(await tableRows(page, 'Supply sources')).toEqual([
      'China (CN) | 75 t | 98.68% | restricted',
      'Canada (CA) | 1 t | 1.32% | no',
    ]);

    // the sources' bars and the HHI and days-of-cover lines, drawn once the series has loaded
    const charts = await drawnCharts(page, 2);
    expect(charts).toHaveLength(2);
    for (const chart of charts) {
      expect(chart.width).toBeGreaterThan(0);
      expect(chart.height).toBeGreaterThan(0);
      expect(chart.painted).toBeGreaterThan(0);
    }
    // README's picture (docs/web-interface.png is a copy): the first screen of the page
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({
      path: join(RESULTS, 'readme-exposure.png'),
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: 1180 },
    });
    await page.locator('summary', { hasText: 'Figures behind the chart' }).click();
    expect(await tableRows(page, 'Figures behind the chart')).toContain(
      '2026-03-01 | 9,740.3 | 98.68% | 32.85 days',
    );
    await screenshot('exposure-jp-gallium');
    expect(errors).toEqual([]);
  });

  it('downloads the exact figures as CSV, with the key and without it in the link', async () => {
    await openTab('reader');
    await open(GALLIUM);
    await figureOnceShown(page, 'HHI', '9,740.3');
    const link = page.getByRole('link', { name: 'CSV' });
    expect(await link.getAttribute('href')).toBe(
      '/exposure/JP/gallium?asOf=2026-03-01&knownAt=24&format=csv',
    );
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toContain('9740.3');
    expect(csv).toContain('0.986842');
    expect(errors).toEqual([]);
  });

  it('shows the earlier state for an earlier knownAt, by link and by its control, and back again', async () => {
    await openTab('reader');
    // at position 22 the ledger knew only the flow from China: no Canadian source, no consumption yet
    await open('/app/exposure/JP/gallium?asOf=2026-03-01&knownAt=22');
    expect(await figureOnceShown(page, 'HHI', '10,000')).toBe('10,000');
    expect(await figure(page, 'Restricted share').textContent()).toBe('100%');
    expect(await figure(page, 'Days of cover').textContent()).toBe('—');
    await screenshot('exposure-jp-gallium-known-at-22');

    await page.getByLabel('Known at (log position or date-time)').fill('24');
    await page.getByRole('button', { name: 'Show', exact: true }).first().click();
    expect(await figureOnceShown(page, 'HHI', '9,740.3')).toBe('9,740.3');
    expect(new URL(page.url()).searchParams.get('knownAt')).toBe('24');

    await page.goBack();
    expect(await figureOnceShown(page, 'HHI', '10,000')).toBe('10,000');
    expect(errors).toEqual([]);
  });

  it('lists exposure by country and material, linking each pair with the same times', async () => {
    await openTab('reader');
    await open('/app/exposure?asOf=2026-03-01&knownAt=24');
    expect(await tableRows(page, 'Exposure')).toEqual([
      'Japan (JP) | gallium | 80 t | 9,740.3 | 100% | 98.68% | 7.2 t | 32.85 days | 0%',
      'Japan (JP) | graphite-anode | 52,000 t | 6,894 | 100% | 82% | 1,200 t | 8.42 days | 0%',
    ]);
    await screenshot('exposure');
    await page.getByRole('link', { name: 'gallium' }).click();
    expect(await figureOnceShown(page, 'HHI', '9,740.3')).toBe('9,740.3');
    expect(page.url()).toBe(`${ledger.baseUrl}${GALLIUM}`);
    expect(errors).toEqual([]);
  });

  it('lists stockpiles and shows one stockpile’s on-hand per material and location over time', async () => {
    await openTab('reader');
    await open('/app/stockpiles?asOf=2026-03-01');
    expect(await tableRows(page, 'Stockpiles')).toEqual([
      'Canada–Japan critical minerals reserve | JOGMEC | CA 40%, JP 60% | gallium: 12 t graphite-anode: 2,000 t',
    ]);
    await page.getByRole('link', { name: 'Canada–Japan critical minerals reserve' }).click();
    const balances = 'Balances per material and location';
    expect(await tableRows(page, balances)).toEqual([
      'gallium | Tsukuba vault | 12 t | 12 t | 0 kg | 0 kg | 0 kg',
      'graphite-anode | Yokohama bonded warehouse | 2,000 t | 2,400 t | 400 t | 0 kg | 0 kg',
    ]);
    const charts = await drawnCharts(page, 2);
    expect(charts.every((chart) => chart.width > 0 && chart.height > 0 && chart.painted > 0)).toBe(true);
    await screenshot('stockpile');

    // before the release of 1 February 2026
    await page.getByLabel('As of (effective date)').fill('2026-01-15');
    await page.getByRole('button', { name: 'Show', exact: true }).first().click();
    await page.locator('td', { hasText: '2,400 t' }).first().waitFor();
    expect((await tableRows(page, balances))[1]).toBe(
      'graphite-anode | Yokohama bonded warehouse | 2,400 t | 2,400 t | 0 kg | 0 kg | 0 kg',
    );
    expect(new URL(page.url()).searchParams.get('asOf')).toBe('2026-01-15');
    expect(errors).toEqual([]);
  });

  it('filters projects and shows one project’s stage, offtake book against capacity over the years and financings', async () => {
    await openTab('reader');
    await open('/app/projects?asOf=2028-01-01');
    expect(await tableRows(page, '2 projects')).toHaveLength(2);
    await page.getByLabel('Material').selectOption('graphite-anode');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await tableRows(page, '1 project')).toEqual([
      'NMG Phase-2 Bécancour active anode material plant | Nouveau Monde Graphite | Canada (CA) | construction | graphite-anode',
    ]);
    expect(new URL(page.url()).searchParams.get('material')).toBe('graphite-anode');

    await page.getByRole('link', { name: 'NMG Phase-2 Bécancour active anode material plant' }).click();
    expect(await figureOnceShown(page, 'Capacity, graphite-anode', '42,616 t a year')).toBe(
      '42,616 t a year',
    );
    expect(await tableRows(page, 'Offtake book')).toEqual([
      'graphite-anode | 42,616 t | 18,000 t | 24,616 t | 18,000 t | 24,616 t',
    ]);
    expect(await tableRows(page, 'Financings')).toEqual([
      'Export Development Canada and Canada Infrastructure Bank | Canada (CA) | debt | USD 290,000,000.00',
      'Export Development Canada and Canada Infrastructure Bank | Canada (CA) | debt | USD 45,000,000.00',
      'Panasonic Energy | Japan (JP) | equity | USD 25,000,000.00',
    ]);
    const years = await tableRows(page, 'Stage, capacity and commitments');
    expect(years).toContain('2026 | construction | graphite-anode | 42,616 t | 0 kg | 42,616 t');
    expect(years).toContain('2027 | construction | graphite-anode | 42,616 t | 18,000 t | 24,616 t');
    expect(years).toContain('2034 | construction | graphite-anode | 42,616 t | 0 kg | 42,616 t');
    const [chart] = await drawnCharts(page, 1);
    expect(chart!.painted).toBeGreaterThan(0);
    await screenshot('project');
    expect(errors).toEqual([]);
  });

  it('shows the restriction timeline of an importer and the measures active on the as-of date', async () => {
    await openTab('reader');
    await open('/app/restrictions?asOf=2026-03-01&importer=JP&material=gallium');
    expect(await tableRows(page, 'Periods')).toEqual([
      'cn-gallium-germanium-2023 | China (CN) | licensing | gallium | 2023-08-01 | in force | MOFCOM/GAC Announcement No. 23 [2023]',
      'cn-dual-use-jp-2026 | China (CN) | ban | gallium | 2026-01-06 | in force | MOFCOM announcement of 6 January 2026 (dual-use items, Japanese military end users)',
    ]);
    expect(await page.locator('.timeline .bar').count()).toBe(2);
    await page.getByText('2 measures active that day').waitFor();
    await screenshot('restrictions');

    // before the dual-use ban took effect
    await open('/app/restrictions?asOf=2025-06-01&importer=JP&material=gallium');
    await page.getByText('1 measure active that day').waitFor();
    expect(errors).toEqual([]);
  });

  it('shows the audit head and the digest to copy, verifies the log, and shows a stream’s history', async () => {
    await openTab('auditor');
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ledger.baseUrl });
    await open('/app/audit?knownAt=15&stream=stockpile-ca-jp-critical-minerals');
    expect(await figureOnceShown(page, 'Head position', '24')).toBe('24');
    expect(await figure(page, 'Digest position').textContent()).toBe('15');
    const published = (await ledger.get('/audit/digest?position=15', 'auditor')).body.digest;
    const digest = page.getByLabel('Log digest (version 2) up to position 15');
    expect(await digest.inputValue()).toBe(published);
    await page.getByRole('button', { name: 'Copy digest' }).click();
    await page.getByText('Copied the digest.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(published);

    await page.getByRole('button', { name: 'Verify every hash chain' }).click();
    await page.getByText('every hash chain holds over 24 events in 7 streams.').waitFor();

    const history = await tableRows(page, 'stockpile-ca-jp-critical-minerals');
    expect(history.map((row) => row.split(' | ').slice(0, 3).join(' | '))).toEqual([
      '0 | 14 | StockpileEstablished',
      '1 | 15 | StockpileAcquired',
      '2 | 16 | StockpileAcquired not yet known',
      '3 | 17 | StockpileReleased not yet known',
    ]);
    await screenshot('audit');
    expect(errors).toEqual([]);
  });
});
