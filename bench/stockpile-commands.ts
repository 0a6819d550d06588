import {
  type AcquireStock,
  type EstablishStockpile,
  type Instant,
  parseCountry,
  parseMaterial,
  Quantity,
} from '@ledger/domain';
import type { CommandContext } from '@ledger/event-store';

/**
 * The command workload the append and peers rows share: AcquireStock commands of one event each, spread
 * round-robin over established stockpiles.
 */
export const STOCKPILES = 200;

export const benchContext: CommandContext = {
  actor: { name: 'bench', roles: ['admin'] },
  correlationId: 'bench',
};

export const stockpileIdOf = (i: number): string => `s${i % STOCKPILES}`;

export const establishCommand = (s: number): EstablishStockpile => ({
  type: 'EstablishStockpile',
  stockpileId: `s${s}`,
  effectiveAt: '2026-01-01T00:00:00.000Z' as Instant,
  now: '2026-01-01T00:00:00.000Z' as Instant,
  name: `S${s}`,
  custodian: 'C',
  participants: [{ country: parseCountry('JP'), sharePercent: '100' }],
});

export const acquireCommand = (i: number): AcquireStock => ({
  type: 'AcquireStock',
  stockpileId: stockpileIdOf(i),
  effectiveAt: '2026-02-01T00:00:00.000Z' as Instant,
  now: '2026-02-01T00:00:00.000Z' as Instant,
  lotId: `l${i}`,
  material: parseMaterial('graphite-anode'),
  quantity: Quantity.parse({ amount: '12.5', unit: 't' }),
  location: 'Yokohama',
  originCountry: parseCountry('CA'),
});

/** Runs `work(i)` for i in [from, to) with `concurrency` workers taking the next i; resolves when all ended. */
export async function runConcurrently(
  from: number,
  to: number,
  concurrency: number,
  work: (i: number) => Promise<void>,
): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < to) {
        const i = next;
        next += 1;
        await work(i);
      }
    }),
  );
}
