import type { EventStore, Upcasters } from '@ledger/event-store';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { ReadModelStore } from '../store/read-model-store';
import { EventProjector } from './projected-events';

export interface RebuildProgress {
  position: bigint;
  head: bigint;
  events: number;
}

export interface RebuildOptions {
  /** the read models to rebuild (default: all) */
  models?: readonly string[];
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
  /** the ledger's upcasters unless a test brings its own */
  upcasters?: Upcasters;
}

export interface RebuildResult extends RebuildProgress {
  /** bytes the store gave back after dropping the old version (SQLite); 0 where nothing was left behind */
  reclaimedBytes: number;
}

/** A rebuild stopped on an event its projection or the store refuses: nothing was swapped in. */
export class RebuildError extends Error {
  override name = 'RebuildError';

  constructor(
    readonly model: string,
    readonly position: bigint,
    readonly eventId: string,
    cause: unknown,
  ) {
    super(
      `read model ${model} cannot take the event at position ${position} (event ${eventId}): ` +
        `${cause instanceof Error ? cause.message : String(cause)}; the live read models are unchanged`,
    );
  }
}

/**
 * Builds a fresh generation of the read models beside the live one, from the whole log, then swaps it in
 * (one transaction: views switch, old tables go) and applies what arrived meanwhile. Readers see the old
 * version until the swap and the new one after; a projector still running notices at its next batch.
 * Yields to the event loop between batches, so it may run inside a serving process.
 */
export async function rebuildReadModels(
  events: EventStore,
  readModels: ReadModelStore,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const names = options.models ?? readModels.names;
  const batchSize = options.batchSize ?? 5000;
  await readModels.beginRebuild(names);

  const projector = new EventProjector('', options.upcasters);
  let position = 0n;
  let count = 0;
  let head = await events.headPosition();
  const apply = async (building: boolean): Promise<boolean> => {
    const batch = await events.readAll({ fromPosition: position, limit: batchSize });
    if (batch.length === 0) return false;
    const [failure] = await readModels.apply(projector.project(batch), { models: names, building });
    if (failure) throw new RebuildError(failure.model, failure.position, failure.eventId, failure.error);
    position = batch[batch.length - 1]!.position;
    count += batch.length;
    if (position > head) head = position;
    options.onProgress?.({ position, head, events: count });
    await yieldToEventLoop();
    return true;
  };
  while (await apply(true));
  await readModels.swapRebuild(names);
  // Events appended between the last batch and the swap go to the new live generation (its checkpoint is
  // where the build stopped; a live projector would apply them as well, once).
  while (await apply(false));
  const reclaimedBytes = await readModels.reclaimSpace();
  const result = { position, head: position > head ? position : head, events: count, reclaimedBytes };
  options.onProgress?.(result);
  return result;
}
