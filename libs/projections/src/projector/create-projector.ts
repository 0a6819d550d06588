import { createEventStore, type EventStore, type StoreConfig } from '@ledger/event-store';
import { openReadModelStore } from '../store/open-read-model-store';
import type { ReadModelStore } from '../store/read-model-store';
import { Projector, type ProjectorOptions } from './projector';

/** The stores a ledger process works with, and the projector between them. */
export interface LedgerStores {
  events: EventStore;
  readModels: ReadModelStore;
  projector: Projector;
  close(): Promise<void>;
}

/**
 * The one way both apps start a projector: opens the event store and the read-model store the configuration
 * names (creating missing tables, so queries never meet one before the first projection), and a projector
 * between them. `start()` joins the election for the store's projector lock; a process that leaves projecting
 * to `apps/projector` never starts it and still reports the active projector's progress.
 */
export async function createProjector(
  config: StoreConfig,
  options: ProjectorOptions = {},
): Promise<LedgerStores> {
  const events = await createEventStore(config);
  const readModels = await openReadModelStore(config).catch(async (error: unknown) => {
    await events.close();
    throw error;
  });
  const projector = new Projector(events, readModels, options);
  return {
    events,
    readModels,
    projector,
    async close() {
      await projector.stop();
      await readModels.close();
      await events.close();
    },
  };
}
