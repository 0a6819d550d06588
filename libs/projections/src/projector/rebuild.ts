import type { EventStore, Upcasters } from '@ledger/event-store';
import type { ReadModelStore } from '../store/read-model-store';
import { EventProjector } from './projected-events';

export interface RebuildProgress {
  position: bigint;
  head: bigint;
  events: number;
}

/**
 * Events read from the log at a time. Small: a page's objects (parsed, upcast, projected) then die in
 * V8's young generation, where they cost next to nothing; pages of 5,000 outlived it and made a rebuild
 * spend a fifth of its time collecting them.
 */
const PAGE_SIZE = 1000;

/** Events applied per transaction (whole pages): commits are costly, and a rebuild needs few. */
const EVENTS_PER_TRANSACTION = 20_000;

export interface RebuildOptions {
  /** the read models to rebuild (default: all) */
  models?: readonly string[];
  /** events read from the log at a time */
  batchSize?: number;
  /** events applied per transaction, in whole pages (at least one) */
  eventsPerTransaction?: number;
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
 * Yields to the event loop between transactions, so it may run inside a serving process.
 */
export async function rebuildReadModels(
  events: EventStore,
  readModels: ReadModelStore,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const names = options.models ?? readModels.names;
  const pageSize = options.batchSize ?? PAGE_SIZE;
  await readModels.beginRebuild(names);

  const projector = new EventProjector('', options.upcasters);
  let position = 0n;
  let count = 0;
  let head = await events.headPosition();
  async function* pages() {
    for (let from = position; ;) {
      const page = await events.readAll({ fromPosition: from, limit: pageSize });
      if (page.length === 0) return;
      from = page[page.length - 1]!.position;
      yield projector.project(page);
    }
  }
  const applyAll = async (building: boolean): Promise<void> => {
    const [failure] = await readModels.applyPages(pages(), {
      models: names,
      building,
      eventsPerTransaction: options.eventsPerTransaction ?? EVENTS_PER_TRANSACTION,
      onApplied: (page) => {
        position = page[page.length - 1]!.position;
        count += page.length;
        if (position > head) head = position;
        options.onProgress?.({ position, head, events: count });
      },
    });
    if (failure) throw new RebuildError(failure.model, failure.position, failure.eventId, failure.error);
  };
  await applyAll(true);
  await readModels.swapRebuild(names);
  // Events appended between the last batch and the swap go to the new live generation (its checkpoint is
  // where the build stopped; a live projector would apply them as well, once).
  await applyAll(false);
  const reclaimedBytes = await readModels.reclaimSpace();
  const result = { position, head: position > head ? position : head, events: count, reclaimedBytes };
  options.onProgress?.(result);
  return result;
}
