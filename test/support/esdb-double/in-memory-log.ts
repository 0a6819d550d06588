/**
 * TEST DOUBLE: the storage behind the EventStoreDB test double (see README.md beside this file).
 * It is NOT EventStoreDB and is never used outside tests. It keeps an in-memory transaction log with the
 * shapes the gRPC protocol exposes (stream revisions, 64-bit log positions, `created` in .NET ticks) and
 * the server's write rules as KurrentDB's `IndexWriter.CheckCommit` has them: optimistic concurrency on an
 * expected revision, idempotent re-appends of the same ids after an explicit revision (from the stream),
 * with `any` only from a bounded cache of recent ids, and tombstoned streams.
 */

/** `commit == prepare` for every record here, as EventStoreDB (22.10+) reports for implicit transactions. */
export interface LogPosition {
  commit: bigint;
  prepare: bigint;
}

export interface StoredRecord {
  position: bigint;
  streamId: string;
  revision: bigint;
  eventId: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as the server puts them in the `created` metadata entry */
  created: bigint;
}

export interface ProposedEvent {
  eventId: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

export type Expected =
  { kind: 'any' } | { kind: 'no-stream' } | { kind: 'exists' } | { kind: 'revision'; revision: bigint };

export type AppendOutcome =
  | { kind: 'written'; revision: bigint; position: bigint; records: StoredRecord[] }
  /** the same ids are already there: nothing written; `revision` and `position` are those of the last one */
  | { kind: 'idempotent'; revision: bigint; position: bigint }
  | { kind: 'wrong-expected-version'; current: bigint | 'no-stream' }
  | { kind: 'stream-deleted' };

export interface EventFilter {
  on: 'stream' | 'event-type';
  regex?: string;
  prefixes: string[];
}

const TICKS_PER_MS = 10_000n;
/** Roughly what a record costs in an EventStoreDB chunk; positions are byte offsets, so they have gaps. */
const RECORD_OVERHEAD = 96n;

/** Strictly after `position` in $all order (EventStoreDB compares commit, then prepare). */
export const isAfter = (record: StoredRecord, position: LogPosition): boolean =>
  record.position > position.commit ||
  (record.position === position.commit && record.position > position.prepare);

export const matchesFilter = (record: StoredRecord, filter: EventFilter | undefined): boolean => {
  if (!filter) return true;
  const value = filter.on === 'stream' ? record.streamId : record.type;
  if (filter.regex) return new RegExp(filter.regex).test(value);
  return filter.prefixes.some((prefix) => value.startsWith(prefix));
};

export class InMemoryLog {
  readonly records: StoredRecord[] = [];
  private readonly streams = new Map<string, StoredRecord[]>();
  private readonly tombstoned = new Set<string>();
  /** the server's cache of recently committed ids, the only memory its `any` idempotency check has */
  private readonly recentIds = new Map<string, StoredRecord>();
  private readonly listeners = new Set<(records: StoredRecord[]) => void>();
  private nextPosition = 0n;

  constructor(
    /** the server's wall clock (ms since the epoch): `created` is taken from it as is, never clamped */
    public clock: () => number = () => Date.now(),
    /** how many recent event ids the `any` check remembers (the server's cache is bounded by memory) */
    private readonly recentIdsRemembered = 10_000,
  ) {}

  /** Called synchronously after every write with the records it added. */
  onAppend(listener: (records: StoredRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stream(streamId: string): StoredRecord[] | undefined {
    return this.streams.get(streamId);
  }

  isTombstoned(streamId: string): boolean {
    return this.tombstoned.has(streamId);
  }

  /** A hard delete: the stream can be neither read nor written again (its events stay in `$all`). */
  tombstone(streamId: string): void {
    this.tombstoned.add(streamId);
  }

  append(streamId: string, expected: Expected, proposed: ProposedEvent[]): AppendOutcome {
    if (this.tombstoned.has(streamId)) return { kind: 'stream-deleted' };
    const existing = this.streams.get(streamId) ?? [];
    const current: bigint | 'no-stream' = existing.length === 0 ? 'no-stream' : BigInt(existing.length - 1);
    const currentNumber = existing.length - 1;
    const ids = proposed.map((event) => event.eventId);
    const idempotent = (last: StoredRecord): AppendOutcome => ({
      kind: 'idempotent',
      revision: last.revision,
      position: last.position,
    });

    if (expected.kind === 'exists' && current === 'no-stream')
      return { kind: 'wrong-expected-version', current };
    if (expected.kind === 'any' || expected.kind === 'exists') {
      // Only the cache of recent ids: an id it forgot is written again (the server's documented caveat).
      const known = ids.map((id) => this.recentIds.get(id));
      if (ids.length === 0 || known[0]?.streamId !== streamId) return this.written(streamId, proposed);
      if (known.some((record) => record?.streamId !== streamId))
        return { kind: 'wrong-expected-version', current };
      return idempotent(known[known.length - 1]!);
    }

    const expectedNumber = expected.kind === 'no-stream' ? -1 : Number(expected.revision);
    if (expectedNumber === currentNumber) return this.written(streamId, proposed);
    if (expectedNumber > currentNumber || ids.length === 0)
      return { kind: 'wrong-expected-version', current };
    // Behind the stream: the ids after the expected revision must all be these, read from the stream itself.
    // None of them: a stale append; some of them: a corrupted retry. The server answers both alike.
    const same = ids.every((id, i) => existing[expectedNumber + 1 + i]?.eventId === id);
    if (!same) return { kind: 'wrong-expected-version', current };
    return idempotent(existing[expectedNumber + ids.length]!);
  }

  private written(streamId: string, proposed: ProposedEvent[]): AppendOutcome {
    const written = this.write(streamId, proposed);
    const last = written[written.length - 1]!;
    return { kind: 'written', revision: last.revision, position: last.position, records: written };
  }

  /** Writes without any check: used to seed system events the way a real server has them. */
  write(streamId: string, proposed: ProposedEvent[]): StoredRecord[] {
    const stream = this.streams.get(streamId) ?? [];
    // The server's wall clock as is: it may step back (a clock adjustment, another node as leader).
    const created = BigInt(this.clock()) * TICKS_PER_MS;
    const written = proposed.map((event) => {
      const record: StoredRecord = {
        ...event,
        position: this.nextPosition,
        streamId,
        revision: BigInt(stream.length),
        created,
      };
      this.nextPosition +=
        RECORD_OVERHEAD +
        BigInt(Buffer.byteLength(streamId) + Buffer.byteLength(event.type)) +
        BigInt(event.data.length + event.customMetadata.length);
      stream.push(record);
      this.records.push(record);
      this.remember(record);
      return record;
    });
    this.streams.set(streamId, stream);
    if (written.length > 0) for (const listener of [...this.listeners]) listener(written);
    return written;
  }

  private remember(record: StoredRecord): void {
    if (this.recentIdsRemembered <= 0) return;
    this.recentIds.delete(record.eventId);
    this.recentIds.set(record.eventId, record);
    if (this.recentIds.size > this.recentIdsRemembered)
      this.recentIds.delete(this.recentIds.keys().next().value!);
  }
}
