/**
 * A projection service in one file: it follows the ledger's GET /feed and keeps a read model of its own,
 * the total acquired per material over every stockpile. Its checkpoint (the id of the last message, a
 * global position) is written with the model, atomically, so after a crash it resumes with Last-Event-ID
 * and neither misses an event nor counts one twice. Plain Node 20, no dependencies:
 *   LEDGER_URL=http://localhost:3000 LEDGER_API_KEY=<reader key> node dist/examples/projection-service.js acquired.json
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

interface ReadModel {
  lastEventId: string | null;
  events: number;
  /** kilograms per material, exact decimal strings as the ledger writes them */
  acquired: Record<string, string>;
}

const ledger = process.env.LEDGER_URL ?? 'http://localhost:3000';
const file = process.argv[2] ?? 'acquired.json';

function load(): ReadModel {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ReadModel;
  } catch {
    return { lastEventId: null, events: 0, acquired: {} };
  }
}

function save(model: ReadModel): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(model, null, 2));
  renameSync(`${file}.tmp`, file); // the model and its checkpoint change together, or not at all
}

// Quantities are exact: summed in grams as bigint, never as floating point.
const grams = (kg: string): bigint => {
  const [whole, fraction = ''] = kg.split('.');
  return BigInt(whole!) * 1000n + BigInt(fraction.padEnd(3, '0'));
};
const kilograms = (g: bigint): string =>
  `${g / 1000n}${g % 1000n ? `.${String(g % 1000n).padStart(3, '0')}`.replace(/0+$/, '') : ''}`;

function apply(
  model: ReadModel,
  id: string,
  event: { data: { material: string; quantity: { amount: string } } },
) {
  const { material, quantity } = event.data;
  model.acquired[material] = kilograms(grams(model.acquired[material] ?? '0') + grams(quantity.amount));
  model.lastEventId = id;
  model.events += 1;
}

async function follow(model: ReadModel): Promise<void> {
  const response = await fetch(`${ledger}/feed?types=StockpileAcquired`, {
    headers: {
      authorization: `Bearer ${process.env.LEDGER_API_KEY}`,
      ...(model.lastEventId === null ? {} : { 'last-event-id': model.lastEventId }),
    },
  });
  if (response.status !== 200 || !response.body) throw new Error(`GET /feed answered ${response.status}`);
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of response.body) {
    text += decoder.decode(chunk, { stream: true });
    const messages = text.split('\n\n');
    text = messages.pop()!; // an incomplete message waits for the next chunk
    for (const message of messages) {
      const fields = new Map(
        message.split('\n').map((line) => [line.split(':', 1)[0], line.slice(line.indexOf(':') + 2)]),
      );
      if (fields.has('data')) apply(model, fields.get('id')!, JSON.parse(fields.get('data')!));
    }
    save(model);
  }
}

async function main(): Promise<never> {
  const model = load();
  for (;;) {
    await follow(model).catch((error: Error) => console.error(`feed: ${error.message}`));
    await new Promise((resolve) => setTimeout(resolve, 500)); // the ledger restarts, or the network heals
  }
}

void main();
