import 'reflect-metadata';
import { Logger, type LogLevel, ShutdownSignal } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import type { Express, Response } from 'express';
import type { Server } from 'node:http';
import { AppModule } from './app.module';
import type { LedgerConfig } from './config/ledger-config';
import { acceptJsonBodies } from './http/json-body';
import { LedgerLogger } from './http/ledger-logger';
import { correlateRequests } from './http/request-context';
import { countRequests } from './http/request-metrics';
import { methodsOfRoutes, RouteTable } from './http/route-table';
import { LedgerMetrics } from './observability/ledger-metrics';
import { ledgerOpenApiDocument } from './openapi/ledger-document';
import { ledgerValidationPipe } from './validation';

/** SIGHUP is not among them: it reloads the API key file (see ApiKeyRegistry). */
const SHUTDOWN_SIGNALS = Object.values(ShutdownSignal).filter((signal) => signal !== ShutdownSignal.SIGHUP);

/**
 * On SIGTERM Nest closes the HTTP server: it takes no new connections, drops the idle ones and waits for
 * the requests in progress. A keep-alive connection would outlive its answer, and a busy client would keep
 * it busy with new requests, so the drain would never end; once the server is closing, every response says
 * `Connection: close`, so that each connection ends with the answer it was waiting for. Express gives every
 * response this application's response prototype, so the check is put there once, not on each response.
 */
function closeConnectionsWhenDraining(app: NestExpressApplication): void {
  const server = app.getHttpServer() as Server;
  const responses = (app.getHttpAdapter().getInstance() as Express).response;
  const writeHead = responses.writeHead;
  responses.writeHead = function (this: Response, ...args: unknown[]) {
    if (!server.listening) this.setHeader('Connection', 'close');
    return writeHead.apply(this, args as Parameters<typeof writeHead>);
  } as typeof writeHead;
}

export interface LedgerAppOptions {
  logger?: false | LogLevel[];
}

/** Builds the HTTP application; `main.ts` listens on it, end-to-end tests too. */
export async function createLedgerApp(
  config: LedgerConfig,
  options: LedgerAppOptions = {},
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config), {
    bodyParser: false,
    // Throw instead of exiting, so main() can report a configuration mistake plainly and tests see the error.
    abortOnError: false,
    logger:
      options.logger === false
        ? false
        : new LedgerLogger({ logLevels: options.logger ?? ['log', 'warn', 'error'] }),
  });
  app.disable('x-powered-by');
  // In this order: every response, refusals before routing included, carries its correlation id and
  // is counted; then methods, media type, size and nesting are refused before any parse or route runs.
  app.use(correlateRequests);
  app.use(countRequests(app.get(LedgerMetrics)));
  closeConnectionsWhenDraining(app);
  app.use(methodsOfRoutes(RouteTable.of(app)));
  acceptJsonBodies(app, config.bodyLimitBytes);
  app.useGlobalPipes(ledgerValidationPipe());
  // Exit 0 once drained and the stores are closed (by default Nest re-raises the signal: exit status 143).
  app.enableShutdownHooks(SHUTDOWN_SIGNALS, { useProcessExit: true });

  const document = ledgerOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
  return app;
}

export const bootstrapLogger = new Logger('Bootstrap');
