import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, loadStoreConfig } from '@ledger/event-store';
import { ProjectorModule } from './projector.module';

const logger = new Logger('Projector');

async function main(): Promise<void> {
  const config = loadStoreConfig();
  const port = Number(process.env.PROJECTOR_PORT || 3001);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`PROJECTOR_PORT must be a port number`);
  const batchSize = Number(process.env.PROJECTOR_BATCH_SIZE || 500);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ConfigError('PROJECTOR_BATCH_SIZE must be a positive integer');
  }
  const app = await NestFactory.create(ProjectorModule.forConfig(config, { batchSize }), {
    logger: ['log', 'warn', 'error'],
  });
  app.enableShutdownHooks();
  await app.listen(port);
  logger.log(`projector following ${config.dataDir}; health and metrics on http://localhost:${port}`);
}

main().catch((error: unknown) => {
  logger.error(
    error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error),
  );
  process.exit(1);
});
