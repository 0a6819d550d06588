/**
 * An immutable set of ids with a constant-time `has`, for the ids a stream has used. A persistent list
 * made every command scan all of its stream's ids (a hot stream of 10,000 events scanned 10,000 strings
 * per command); a Set copied per event would cost O(n²) to fold.
 *
 * Every version of one set shares a log of the ids in the order they were added, each with the size of
 * the set that added it, so a version sees exactly the ids added before it: adding to the newest version
 * only appends to the log, and an older version never sees what later ones added. Adding to an older
 * version (a command decided again on an earlier state) branches off with a copy of what that version
 * holds, which is rare and costs what folding those ids did.
 */
export interface PersistentIdSet {
  /** shared by the versions of one line of additions */
  readonly log: IdLog;
  /** how many additions this version has seen: it holds the ids the log recorded before that count */
  readonly size: number;
}

interface IdLog {
  /** each id with the number of additions before its first one; Map order is the order of addition */
  readonly firstAddedAt: Map<string, number>;
  /** the additions of the newest version of this log */
  size: number;
}

export const emptyIdSet = (): PersistentIdSet => ({ log: { firstAddedAt: new Map(), size: 0 }, size: 0 });

export function idSetHas(set: PersistentIdSet, id: string): boolean {
  const addedAt = set.log.firstAddedAt.get(id);
  return addedAt !== undefined && addedAt < set.size;
}

export function withId(set: PersistentIdSet, id: string): PersistentIdSet {
  let log = set.log;
  if (log.size !== set.size) {
    // A later version exists: keep it as it is and go on from a copy of this one.
    const firstAddedAt = new Map<string, number>();
    for (const [known, addedAt] of log.firstAddedAt) {
      if (addedAt >= set.size) break;
      firstAddedAt.set(known, addedAt);
    }
    log = { firstAddedAt, size: set.size };
  }
  if (!log.firstAddedAt.has(id)) log.firstAddedAt.set(id, log.size);
  log.size += 1;
  return { log, size: log.size };
}
