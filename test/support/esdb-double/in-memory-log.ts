/**
 * TEST DOUBLE: the storage behind the EventStoreDB test double (see README.md beside this file).
 * It is NOT EventStoreDB and is never used outside tests. It keeps an in-memory transaction log with the
 * shapes the gRPC protocol exposes (stream revisions, 64-bit log positions, `created` in .NET ticks) and
 * the few rules the ledger's adapter relies on: optimistic concurrency on an expected revision and
 * idempotent re-appends of the same event ids at the same expected revision.
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
  /** the same ids are already at the expected place: nothing written (the server answers without a position) */
  | { kind: 'idempotent'; revision: bigint }
  | { kind: 'wrong-expected-version'; current: bigint | 'no-stream' };

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
  private readonly listeners = new Set<(records: StoredRecord[]) => void>();
  private nextPosition = 0n;
  private lastCreated = 0n;

  constructor(private readonly clock: () => number = () => Date.now()) {}

  /** Called synchronously after every write with the records it added. */
  onAppend(listener: (records: StoredRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stream(streamId: string): StoredRecord[] | undefined {
    return this.streams.get(streamId);
  }

  append(streamId: string, expected: Expected, proposed: ProposedEvent[]): AppendOutcome {
    const existing = this.streams.get(streamId) ?? [];
    const current: bigint | 'no-stream' = existing.length === 0 ? 'no-stream' : BigInt(existing.length - 1);
    const ids = proposed.map((event) => event.eventId);

    // The server's idempotency check: the same ids already follow the expected revision.
    const sameIdsFrom = (start: number) =>
      ids.length > 0 &&
      start >= 0 &&
      existing.length >= start + ids.length &&
      ids.every((id, i) => existing[start + i]!.eventId === id);
    if (expected.kind === 'no-stream' && sameIdsFrom(0)) {
      return { kind: 'idempotent', revision: BigInt(ids.length - 1) };
    }
    if (expected.kind === 'revision' && sameIdsFrom(Number(expected.revision) + 1)) {
      return { kind: 'idempotent', revision: expected.revision + BigInt(ids.length) };
    }
    // With `any` the real server only remembers recent writes; the double checks the stream's tail.
    if (expected.kind === 'any' && sameIdsFrom(existing.length - ids.length)) {
      return { kind: 'idempotent', revision: BigInt(existing.length - 1) };
    }

    const matches =
      expected.kind === 'any' ||
      (expected.kind === 'no-stream' && current === 'no-stream') ||
      (expected.kind === 'exists' && current !== 'no-stream') ||
      (expected.kind === 'revision' && current === expected.revision);
    if (!matches) return { kind: 'wrong-expected-version', current };

    const written = this.write(streamId, proposed);
    const last = written[written.length - 1]!;
    return { kind: 'written', revision: last.revision, position: last.position, records: written };
  }

  /** Writes without any check: used to seed system events the way a real server has them. */
  write(streamId: string, proposed: ProposedEvent[]): StoredRecord[] {
    const stream = this.streams.get(streamId) ?? [];
    const now = BigInt(this.clock()) * TICKS_PER_MS;
    // Recorded time never runs backwards along the log, as on a server with a monotonic clock.
    const created = now > this.lastCreated ? now : this.lastCreated;
    this.lastCreated = created;
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
      return record;
    });
    this.streams.set(streamId, stream);
    if (written.length > 0) for (const listener of [...this.listeners]) listener(written);
    return written;
  }
}
