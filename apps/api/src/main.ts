import { ConfigError, loadConfig } from './config/ledger-config';
import { bootstrapLogger, createLedgerApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createLedgerApp(config);
  await app.listen(config.port);
  bootstrapLogger.log(
    `Minerals Ledger listening on http://localhost:${config.port} (data: ${config.dataDir}); API docs at /docs`,
  );
}

main().catch((error: unknown) => {
  // A configuration mistake is the operator's to fix: say what, without a stack trace.
  if (error instanceof ConfigError || (error as Error)?.name === 'ApiKeyFileError') {
    bootstrapLogger.error((error as Error).message);
  } else {
    bootstrapLogger.error('failed to start', error instanceof Error ? error.stack : String(error));
  }
  process.exit(1);
});
