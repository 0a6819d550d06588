import type { EmbeddedServer } from './embedded-server';
import { SERVER_KEY } from './global-setup';

/** Jest globalTeardown: stops the server globalSetup started, if it started one, and deletes its folder. */
export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<string, unknown>;
  const server = globals[SERVER_KEY] as EmbeddedServer | undefined;
  if (!server) return;
  delete globals[SERVER_KEY];
  delete process.env.LEDGER_TEST_POSTGRES_URL;
  await server.stop();
}
