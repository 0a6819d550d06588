/*
 * A second process writing to an embedded ledger file while a test does something else with it (run by
 * runTypeScriptProcess): RecordTradeFlow commands through the command handler, one transaction each, until
 * the stop file exists. Prints `{"commands": n}` on stdout when it stops.
 * Arguments: the ledger file, the stop file, a file it creates once its first command is stored.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { CommandHandler } from '../../libs/event-store/src/command-handler';
import { openSqliteDatabase } from '../../libs/event-store/src/sqlite/sqlite-database';
import { SqliteEventStore } from '../../libs/event-store/src/sqlite/sqlite-event-store';
import { supplyDecider } from '../../libs/domain/src/supply/supply.decide';
import { supplyStreamId } from '../../libs/domain/src/supply/supply.stream';
import { Quantity } from '../../libs/domain/src/values/quantity';
import type { Country } from '../../libs/domain/src/values/country';
import type { Instant } from '../../libs/domain/src/values/instant';
import type { Material } from '../../libs/domain/src/values/material';

async function main(): Promise<void> {
  const [file, stopFile, startedFile] = process.argv.slice(2) as [string, string, string];
  const db = openSqliteDatabase(file);
  const store = new SqliteEventStore(db);
  const handler = new CommandHandler(store);
  const importers = ['DE', 'FR', 'KR', 'US'] as Country[];
  let commands = 0;
  try {
    while (!existsSync(stopFile)) {
      const importer = importers[commands % importers.length]!;
      await handler.handle({
        decider: supplyDecider,
        streamId: supplyStreamId(importer),
        command: {
          type: 'RecordTradeFlow',
          importer,
          exporter: 'CN' as Country,
          material: 'gallium' as Material,
          year: 1900 + (commands % 150),
          annualQuantity: Quantity.parse({ amount: String(1 + commands), unit: 't' }),
          effectiveAt: '2026-04-01T00:00:00.000Z' as Instant,
        },
        context: { actor: { name: 'appender', roles: ['admin'] }, correlationId: `appender-${commands}` },
      });
      commands += 1;
      if (commands === 1) writeFileSync(startedFile, '');
    }
  } finally {
    await store.close();
    db.close();
  }
  process.stdout.write(`${JSON.stringify({ commands })}\n`);
}

// Run as a process by runTypeScriptProcess, which puts the entry's path in argv[1].
if (process.argv[1] === __filename) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
