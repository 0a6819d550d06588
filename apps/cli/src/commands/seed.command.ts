import { loadStoreConfig } from '@ledger/event-store';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
// The measure the domain specs and HTTP tests record too: a real one, written down once.
import { CN_GALLIUM_LICENSING } from '../../../../libs/domain/src/testing/export-measures';
import { type CliArguments, type CliCommand, CliError } from '../cli-arguments';

/**
 * The demo of DOMAIN.md's reference figures, as commands. Every command carries an Idempotency-Key and
 * client ids, so seeding twice changes nothing. Figures marked "illustrative" are not in the reference
 * table; they only make the reports show something.
 */
const t = (amount: string) => ({ amount, unit: 't' });
const usd = (amount: string) => ({ amount, currency: 'USD' });

export const DEMO_COMMANDS: { path: string; body: Record<string, unknown>; note: string }[] = [
  // NMG's Bécancour active anode material plant (2022 feasibility study: 42,616 t/yr)
  {
    path: '/projects',
    note: 'NMG Bécancour plant',
    body: {
      id: 'nmg-becancour',
      name: 'NMG Phase-2 Bécancour active anode material plant',
      operator: 'Nouveau Monde Graphite',
      country: 'CA',
      materials: ['graphite-anode'],
      stage: 'financing',
      effectiveAt: '2022-08-01',
    },
  },
  {
    path: '/projects/nmg-becancour/capacity',
    note: '42,616 t/yr',
    body: { material: 'graphite-anode', annualCapacity: t('42616'), effectiveAt: '2022-08-01' },
  },
  // The Matawinie mine that supplies the Government of Canada's concentrate (capacity illustrative)
  {
    path: '/projects',
    note: 'NMG Matawinie mine',
    body: {
      id: 'nmg-matawinie',
      name: 'NMG Matawinie graphite mine',
      operator: 'Nouveau Monde Graphite',
      country: 'CA',
      materials: ['graphite-flake'],
      stage: 'construction',
      effectiveAt: '2023-01-01',
    },
  },
  {
    path: '/projects/nmg-matawinie/capacity',
    note: 'Matawinie capacity (illustrative)',
    body: { material: 'graphite-flake', annualCapacity: t('100000'), effectiveAt: '2023-01-01' },
  },
  // EDC + CIB: US$335M (US$290M term loan + US$45M overrun facility); Panasonic US$25M equity
  {
    path: '/projects/nmg-becancour/financings',
    note: 'EDC + CIB term loan',
    body: {
      financingId: 'edc-cib-term-loan',
      financier: 'Export Development Canada and Canada Infrastructure Bank',
      financierCountry: 'CA',
      instrument: 'debt',
      amount: usd('290000000.00'),
      effectiveAt: '2024-02-15',
    },
  },
  {
    path: '/projects/nmg-becancour/financings',
    note: 'EDC + CIB overrun facility',
    body: {
      financingId: 'edc-cib-overrun',
      financier: 'Export Development Canada and Canada Infrastructure Bank',
      financierCountry: 'CA',
      instrument: 'debt',
      amount: usd('45000000.00'),
      effectiveAt: '2024-02-15',
    },
  },
  {
    path: '/projects/nmg-becancour/financings',
    note: 'Panasonic equity',
    body: {
      financingId: 'panasonic-equity',
      financier: 'Panasonic Energy',
      financierCountry: 'JP',
      instrument: 'equity',
      amount: usd('25000000.00'),
      effectiveAt: '2024-02-15',
    },
  },
  {
    path: '/projects/nmg-becancour/stage',
    note: 'construction',
    body: { stage: 'construction', effectiveAt: '2024-06-01' },
  },
  // NMG → Panasonic Energy: 18,000 t/yr AAM for 7 years from Phase-2 production (start illustrative: 2027)
  {
    path: '/projects/nmg-becancour/offtakes',
    note: 'Panasonic offtake',
    body: {
      offtakeId: 'panasonic-aam',
      buyer: 'Panasonic Energy',
      buyerCountry: 'JP',
      material: 'graphite-anode',
      annualVolume: t('18000'),
      startsOn: '2027-01-01',
      endsOn: '2034-01-01',
      effectiveAt: '2024-02-15',
    },
  },
  // NMG → Government of Canada: 30,000 t/yr graphite concentrate for 7 years (term sheet; dates illustrative)
  {
    path: '/projects/nmg-matawinie/offtakes',
    note: 'Government of Canada offtake',
    body: {
      offtakeId: 'canada-concentrate',
      buyer: 'Government of Canada',
      buyerCountry: 'CA',
      material: 'graphite-flake',
      annualVolume: t('30000'),
      startsOn: '2027-01-01',
      endsOn: '2034-01-01',
      effectiveAt: '2025-10-15',
    },
  },
  // China's measures (MOFCOM)
  {
    path: '/export-restrictions',
    note: 'China gallium/germanium licensing',
    body: CN_GALLIUM_LICENSING,
  },
  {
    path: '/export-restrictions',
    note: 'China graphite licensing',
    body: {
      id: 'cn-graphite-2023',
      imposedBy: 'CN',
      materials: ['graphite-flake', 'graphite-spherical', 'graphite-anode', 'graphite-synthetic'],
      measure: 'licensing',
      appliesTo: ['*'],
      announcedOn: '2023-10-20',
      effectiveFrom: '2023-12-01',
      legalReference: 'MOFCOM/GAC Announcement No. 39 [2023]',
    },
  },
  {
    path: '/export-restrictions',
    note: 'China dual-use ban, Japanese military end users',
    body: {
      id: 'cn-dual-use-jp-2026',
      imposedBy: 'CN',
      materials: ['gallium', 'germanium', 'graphite-anode', 'graphite-spherical'],
      measure: 'ban',
      appliesTo: ['JP'],
      announcedOn: '2026-01-06',
      effectiveFrom: '2026-01-06',
      legalReference: 'MOFCOM announcement of 6 January 2026 (dual-use items, Japanese military end users)',
    },
  },
  // A Canada–Japan joint stockpile (shares and lots illustrative)
  {
    path: '/stockpiles',
    note: 'Canada–Japan joint stockpile',
    body: {
      id: 'ca-jp-critical-minerals',
      name: 'Canada–Japan critical minerals reserve',
      custodian: 'JOGMEC',
      participants: [
        { country: 'JP', sharePercent: '60' },
        { country: 'CA', sharePercent: '40' },
      ],
      effectiveAt: '2025-04-01',
    },
  },
  {
    path: '/stockpiles/ca-jp-critical-minerals/acquisitions',
    note: 'AAM lot',
    body: {
      lotId: 'aam-2025-01',
      material: 'graphite-anode',
      quantity: t('2400'),
      location: 'Yokohama bonded warehouse',
      originCountry: 'CA',
      cost: usd('16800000.00'),
      effectiveAt: '2025-05-15',
    },
  },
  // gallium at the reference price, US$500/kg
  {
    path: '/stockpiles/ca-jp-critical-minerals/acquisitions',
    note: 'gallium lot',
    body: {
      lotId: 'gallium-2025-01',
      material: 'gallium',
      quantity: t('12'),
      location: 'Tsukuba vault',
      originCountry: 'CA',
      cost: usd('6000000.00'),
      effectiveAt: '2025-06-01',
    },
  },
  {
    path: '/stockpiles/ca-jp-critical-minerals/releases',
    note: 'release after the dual-use ban',
    body: {
      releaseId: 'aam-release-2026-01',
      material: 'graphite-anode',
      quantity: t('400'),
      location: 'Yokohama bonded warehouse',
      recipient: 'Panasonic Energy',
      recipientCountry: 'JP',
      reason: 'supply disruption after export ban',
      authorisationRef: 'METI-2026-007',
      effectiveAt: '2026-02-01',
    },
  },
  // Japan's imports: > 80% of graphite from China (2023); gallium from the world output shares (USGS 2024)
  {
    path: '/supply/trade-flows',
    note: 'JP graphite from CN',
    body: {
      importer: 'JP',
      exporter: 'CN',
      material: 'graphite-anode',
      year: 2023,
      annualQuantity: t('41000'),
    },
  },
  {
    path: '/supply/trade-flows',
    note: 'JP graphite from KR',
    body: {
      importer: 'JP',
      exporter: 'KR',
      material: 'graphite-anode',
      year: 2023,
      annualQuantity: t('5500'),
    },
  },
  {
    path: '/supply/trade-flows',
    note: 'JP graphite from CA',
    body: {
      importer: 'JP',
      exporter: 'CA',
      material: 'graphite-anode',
      year: 2023,
      annualQuantity: t('3500'),
    },
  },
  {
    path: '/supply/consumption',
    note: 'JP graphite consumption (illustrative)',
    body: { country: 'JP', material: 'graphite-anode', year: 2023, annualQuantity: t('52000') },
  },
  {
    path: '/supply/trade-flows',
    note: 'JP gallium from CN',
    body: { importer: 'JP', exporter: 'CN', material: 'gallium', year: 2024, annualQuantity: t('75') },
  },
  {
    path: '/supply/trade-flows',
    note: 'JP gallium from CA',
    body: { importer: 'JP', exporter: 'CA', material: 'gallium', year: 2024, annualQuantity: t('1') },
  },
  {
    path: '/supply/consumption',
    note: 'JP gallium consumption (illustrative)',
    body: { country: 'JP', material: 'gallium', year: 2024, annualQuantity: t('80') },
  },
];
function adminKeyOf(args: CliArguments): string {
  const key = args.options.get('key') ?? process.env.LEDGER_API_KEY;
  if (key) return key;
  const file = join(loadStoreConfig().dataDir, 'api-keys.json');
  if (!existsSync(file))
    throw new CliError(
      `no key: pass --key KEY, set LEDGER_API_KEY, or start the ledger once to create ${file}`,
    );
  const entries = JSON.parse(readFileSync(file, 'utf8')) as { key: string; roles: string[] }[];
  const admin = entries.find((entry) => entry.roles.includes('admin'));
  if (!admin) throw new CliError(`${file} has no admin key; pass --key KEY`);
  return admin.key;
}

export const seedCommand: CliCommand = {
  summary: 'load the demo of the reference figures into a running ledger, through its API',
  usage: `usage: npm run seed [-- --url URL --key KEY]

Sends the demo commands (NMG–Panasonic offtake, NMG financing, China's gallium and graphite measures, a
Canada–Japan joint stockpile, Japan's trade flows) to a running ledger. Defaults: --url http://localhost:$PORT
(3000), --key LEDGER_API_KEY or the admin key in LEDGER_DATA_DIR/api-keys.json. Idempotent: run it twice freely.`,
  async run(args) {
    const url = (args.options.get('url') ?? `http://localhost:${process.env.PORT || 3000}`).replace(
      /\/$/,
      '',
    );
    const key = adminKeyOf(args);
    let position = '0';
    for (const [index, command] of DEMO_COMMANDS.entries()) {
      let response: Response;
      try {
        response = await fetch(`${url}${command.path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
            'idempotency-key': `demo-${index}`,
          },
          body: JSON.stringify(command.body),
        });
      } catch (error) {
        throw new CliError(
          `cannot reach the ledger at ${url} (is \`npm start\` running?): ${(error as Error).message}`,
        );
      }
      const body = (await response.json()) as { position?: string; code?: string; detail?: string };
      if (!response.ok) {
        throw new CliError(
          `${command.note}: ${response.status} ${body.code ?? ''} ${body.detail ?? ''}`.trim(),
        );
      }
      position = body.position ?? position;
      process.stdout.write(`  ${String(response.status).padEnd(4)}${command.note}\n`);
    }
    process.stdout.write(
      `seeded ${DEMO_COMMANDS.length} commands up to position ${position}; try:\n` +
        `  curl -H "Authorization: Bearer $KEY" "${url}/exposure/JP/graphite-anode?asOf=2026-03-01&minPosition=${position}"\n`,
    );
    return 0;
  },
};
