/**
 * TEST DOUBLE of an EventStoreDB server, for tests only. It is NOT EventStoreDB, stores nothing on disk,
 * and must never be imported outside test code (see README.md beside this file).
 *
 * It speaks the real gRPC protocol on a real socket, using the service definitions that
 * `@eventstore/db-client` itself ships in `generated/`, so the ledger's adapter runs the real client library
 * end to end: ServerFeatures.GetSupportedMethods, Streams.Read (stream reads, `$all` reads, `$all`
 * subscriptions with server-side filters, checkpoints and caught-up), Streams.Append and, when enabled,
 * Streams.BatchAppend. Where servers differ it is configurable (options of `start`), and faults can be
 * injected (the methods under "fault hooks"); each is answered with the statuses and trailers KurrentDB's
 * `RpcExceptions` uses, so the client raises the same errors it would against a server.
 */
import * as grpc from '@grpc/grpc-js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import { SupportedMethod, SupportedMethods } from '@eventstore/db-client/generated/serverfeatures_pb';
import {
  AccessDenied,
  AllStreamPosition,
  Empty,
  MaximumAppendSizeExceeded,
  StreamDeleted,
  StreamIdentifier,
  UUID,
  WrongExpectedVersion as SharedWrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import {
  AppendReq,
  AppendResp,
  BatchAppendReq,
  BatchAppendResp,
  ReadReq,
  ReadResp,
} from '@eventstore/db-client/generated/streams_pb';
import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as ProtobufEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { randomUUID } from 'node:crypto';
import {
  type AppendOutcome,
  type EventFilter,
  type Expected,
  InMemoryLog,
  isAfter,
  type LogPosition,
  matchesFilter,
  type ProposedEvent,
  type StoredRecord,
} from './in-memory-log';

export interface EsdbTestDoubleOptions {
  /** advertise and serve Streams.BatchAppend, as servers since 21.10 do (default false: the client then uses Append) */
  batchAppend?: boolean;
  /**
   * How an append the server recognises as a retry is answered: with the revision and position of the
   * original's last event, as current servers do (default), or without a position, as older ones did.
   */
  idempotentAnswer?: 'original-position' | 'no-position';
  /** how many recent event ids the server's `any` idempotency check remembers (default 10,000) */
  recentIdsRemembered?: number;
  /** send CaughtUp when a subscription goes live, as servers since 23.10 do (default true) */
  caughtUp?: boolean;
  /** advertise log positions on stream reads (`position` on Streams.Read), as 22.10 and later do (default true) */
  readPositions?: boolean;
  /** the version ServerFeatures reports */
  serverVersion?: string;
  /** the server's wall clock in ms, for `created`; taken as is, so it may step back (default Date.now) */
  clock?: () => number;
  /** the largest append in bytes, like the server's MaxAppendSize (default 1 MiB) */
  maxAppendSize?: number;
}

/** The calls a test may ask about: reads by kind, and appends (Append or BatchAppend). */
export type CallKind = 'append' | 'read-stream' | 'read-all' | 'subscription';
type ReadKind = Exclude<CallKind, 'append'>;

export interface Endpoint {
  address: string;
  port: number;
}

/**
 * What the next append (to `stream`, when given) does after it has been committed: answer late, or fail
 * with a transport status.
 */
export type AppendFault = ({ kind: 'delay'; ms: number } | { kind: 'status'; code: grpc.status }) & {
  stream?: string;
};

const STREAMS = 'event_store.client.streams.Streams';
const SERVER_FEATURES = 'event_store.client.server_features.ServerFeatures';
/** The server's default search window when a filter asks for `count` rather than `max`. */
const DEFAULT_SEARCH_WINDOW = 32;
const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024;
const utf8 = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const json = (value: unknown) => new Uint8Array(Buffer.from(JSON.stringify(value), 'utf8'));

interface ActiveSubscription {
  call: grpc.ServerWritableStream<ReadReq, ReadResp>;
  stop(): void;
}

export class EsdbTestDouble {
  readonly log: InMemoryLog;
  /** how many Append and BatchAppend requests arrived, for assertions on retries */
  appendRequests = 0;
  /** how many reads of each kind arrived (a stalled or refused one counts too) */
  readonly readRequests: Record<ReadKind, number> = { 'read-stream': 0, 'read-all': 0, subscription: 0 };
  /** the calls that carried `requires-leader: true`, in order */
  readonly leaderRequiredBy: CallKind[] = [];
  /** how many calls were refused as NotLeader */
  notLeaderAnswers = 0;
  /** how many stalled reads the client cancelled */
  stalledReadsCancelled = 0;
  /** where each `$all` subscription asked to start (undefined: from the start), in order */
  readonly subscriptionStarts: (LogPosition | undefined)[] = [];
  private readonly subscriptions = new Set<ActiveSubscription>();
  private readonly appendFaults: AppendFault[] = [];
  private readonly stalls: Record<ReadKind, number> = { 'read-stream': 0, 'read-all': 0, subscription: 0 };
  private notLeader: { leader: Endpoint; times: number } | undefined;
  private unavailable = false;
  private accessDenied = false;
  private port = 0;

  private constructor(
    private readonly server: grpc.Server,
    private readonly options: EsdbTestDoubleOptions,
  ) {
    this.log = new InMemoryLog(options.clock, options.recentIdsRemembered);
  }

  /** Starts a fresh, empty double (but for a few system events, as a new server has) on 127.0.0.1. */
  static async start(options: EsdbTestDoubleOptions = {}): Promise<EsdbTestDouble> {
    const server = new grpc.Server();
    const double = new EsdbTestDouble(server, options);
    server.addService(StreamsService, double.streamsImplementation());
    server.addService(ServerFeaturesService, double.serverFeaturesImplementation());
    double.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) =>
        error ? reject(error) : resolve(port),
      ),
    );
    double.seedSystemEvents();
    return double;
  }

  /** An `esdb://` connection string for the client; `query` adds options such as `defaultDeadline=1000`. */
  connectionString(query = ''): string {
    return `esdb://127.0.0.1:${this.port}?tls=false${query ? `&${query}` : ''}`;
  }

  get endpoint(): Endpoint {
    return { address: '127.0.0.1', port: this.port };
  }

  async stop(): Promise<void> {
    for (const subscription of [...this.subscriptions]) subscription.stop();
    this.server.forceShutdown();
  }

  // ---- fault hooks -------------------------------------------------------------------------------

  /** Ends every active subscription with `code` (a server restart or a leader change looks like this). */
  dropSubscriptions(code: grpc.status = grpc.status.UNAVAILABLE): number {
    const dropped = [...this.subscriptions];
    for (const subscription of dropped) {
      subscription.stop();
      subscription.call.emit('error', { code, details: 'test double: subscription dropped' });
    }
    return dropped.length;
  }

  /** The next append is committed, then answered late or with an error: the client cannot tell it worked. */
  failNextAppendAfterCommit(fault: AppendFault): void {
    this.appendFaults.push(fault);
  }

  /** While set, every call is refused with UNAVAILABLE, as by a node that is down. */
  setUnavailable(unavailable: boolean): void {
    this.unavailable = unavailable;
  }

  /**
   * The next `times` reads of that kind get no answer at all, as over a half-open connection; they stay
   * open until the client cancels them.
   */
  stallReads(kind: ReadKind, times = Number.POSITIVE_INFINITY): void {
    this.stalls[kind] = times;
  }

  /**
   * The next `times` calls that require the leader are refused as a follower does: NotLeader, naming
   * `leader` (default: this double, as after an election it won). Calls without `requires-leader` are
   * served, as a follower serves reads (and forwards writes).
   */
  answerNotLeader({ leader = this.endpoint, times = 1 }: { leader?: Endpoint; times?: number } = {}): void {
    this.notLeader = { leader, times };
  }

  /** While set, every Streams call is refused as the server refuses a user it does not authorise. */
  setAccessDenied(denied: boolean): void {
    this.accessDenied = denied;
  }

  /** From now on `created` comes from this clock (ms since the epoch), as is: it may step back. */
  setClock(clock: () => number): void {
    this.log.clock = clock;
  }

  /** Deletes the stream for good (a tombstone): reading or appending to it fails with StreamDeleted. */
  tombstone(streamId: string): void {
    this.log.tombstone(streamId);
  }

  /** Writes a system event, as the server's own statistics do every few seconds. */
  appendSystemEvent(): StoredRecord {
    return this.log.write('$stats-127.0.0.1:2113', [
      {
        eventId: randomUUID(),
        type: '$statsCollected',
        contentType: 'application/json',
        data: json({ 'proc-cpu': 1.5 }),
        customMetadata: new Uint8Array(),
      },
    ])[0]!;
  }

  activeSubscriptions(): number {
    return this.subscriptions.size;
  }

  private seedSystemEvents(): void {
    const system = (streamId: string, type: string, data: unknown) =>
      this.log.write(streamId, [
        {
          eventId: randomUUID(),
          type,
          contentType: 'application/json',
          data: json(data),
          customMetadata: new Uint8Array(),
        },
      ]);
    system('$$$scavenges', '$metadata', { $maxAge: 2592000 });
    system('$settings', '$settings', { $userStreamAcl: {}, $systemStreamAcl: {} });
    this.appendSystemEvent();
  }

  // ---- ServerFeatures ----------------------------------------------------------------------------

  private serverFeaturesImplementation(): grpc.UntypedServiceImplementation {
    return {
      getSupportedMethods: (
        _call: grpc.ServerUnaryCall<Empty, SupportedMethods>,
        callback: grpc.sendUnaryData<SupportedMethods>,
      ) => {
        if (this.unavailable) return callback(this.unavailableError());
        const method = (service: string, name: string, features: string[] = []) =>
          new SupportedMethod().setServiceName(service).setMethodName(name).setFeaturesList(features);
        const methods = [
          method(SERVER_FEATURES, 'GetSupportedMethods'),
          method(STREAMS, 'Read', this.options.readPositions === false ? [] : ['position', 'events']),
          method(STREAMS, 'Append'),
          ...(this.options.batchAppend ? [method(STREAMS, 'BatchAppend')] : []),
        ];
        const version = this.options.serverVersion ?? '0.0.0-test-double';
        callback(null, new SupportedMethods().setEventStoreServerVersion(version).setMethodsList(methods));
      },
    };
  }

  // ---- Streams -----------------------------------------------------------------------------------

  private streamsImplementation(): grpc.UntypedServiceImplementation {
    const implementation: grpc.UntypedServiceImplementation = {
      read: (call: grpc.ServerWritableStream<ReadReq, ReadResp>) => this.read(call),
      append: (
        call: grpc.ServerReadableStream<AppendReq, AppendResp>,
        callback: grpc.sendUnaryData<AppendResp>,
      ) => this.append(call, callback),
    };
    // Without it, grpc-js answers UNIMPLEMENTED, which is what a server that lacks BatchAppend does.
    if (this.options.batchAppend) {
      implementation.batchAppend = (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) =>
        this.batchAppend(call);
    }
    return implementation;
  }

  private unavailableError(): grpc.ServiceError {
    return serviceError(grpc.status.UNAVAILABLE, 'test double: unavailable');
  }

  /**
   * The refusal that comes before any work, if any: unavailable, NotLeader (for a call that requires the
   * leader), access denied. Also notes the calls that required the leader.
   */
  private refusal(kind: CallKind, metadata: grpc.Metadata): grpc.ServiceError | undefined {
    if (this.unavailable) return this.unavailableError();
    const requiresLeader = metadata.get('requires-leader')[0] === 'true';
    if (requiresLeader) this.leaderRequiredBy.push(kind);
    if (requiresLeader && this.notLeader && this.notLeader.times > 0) {
      this.notLeader.times -= 1;
      this.notLeaderAnswers += 1;
      const { address, port } = this.notLeader.leader;
      return serviceError(grpc.status.NOT_FOUND, 'Leader info available', {
        exception: 'not-leader',
        'leader-endpoint-host': address,
        'leader-endpoint-port': String(port),
      });
    }
    if (this.accessDenied) {
      return serviceError(grpc.status.PERMISSION_DENIED, 'Access Denied', { exception: 'access-denied' });
    }
    return undefined;
  }

  private read(call: grpc.ServerWritableStream<ReadReq, ReadResp>): void {
    const options = call.request.getOptions();
    if (!options) {
      call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'options are required' });
      return;
    }
    const kind: ReadKind = options.hasSubscription()
      ? 'subscription'
      : options.hasStream()
        ? 'read-stream'
        : 'read-all';
    this.readRequests[kind] += 1;
    const refused = this.refusal(kind, call.metadata);
    if (refused) {
      call.emit('error', refused);
      return;
    }
    if (this.stalls[kind] > 0) {
      // No answer at all; the call stays open until the client cancels it (or the double stops).
      this.stalls[kind] -= 1;
      call.on('cancelled', () => (this.stalledReadsCancelled += 1));
      return;
    }
    const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
    const forwards = options.getReadDirection() === ReadReq.Options.ReadDirection.FORWARDS;
    const filter = options.hasFilter() ? toFilter(options.getFilter()!) : undefined;

    if (options.hasSubscription()) {
      if (!options.hasAll()) {
        call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'test double: stream subscriptions' });
        return;
      }
      this.subscribe(call, options, filter, structuredIds);
      return;
    }

    const requested = BigInt(options.getCount() || '0');
    const count = requested > 1_000_000_000n ? 1_000_000_000 : Number(requested);
    let selected: StoredRecord[];
    if (options.hasStream()) {
      const streamOptions = options.getStream()!;
      const streamId = utf8(streamOptions.getStreamIdentifier()!.getStreamName_asU8());
      if (this.log.isTombstoned(streamId)) {
        call.emit('error', streamDeletedError(streamId));
        return;
      }
      const stream = this.log.stream(streamId);
      if (!stream) {
        const notFound = new ReadResp.StreamNotFound().setStreamIdentifier(
          new StreamIdentifier().setStreamName(Buffer.from(streamId, 'utf8')),
        );
        call.write(new ReadResp().setStreamNotFound(notFound));
        call.end();
        return;
      }
      if (forwards) {
        const from = streamOptions.hasEnd()
          ? stream.length
          : streamOptions.hasRevision()
            ? Number(BigInt(streamOptions.getRevision()))
            : 0;
        selected = stream.slice(from, from + count);
      } else {
        const from = streamOptions.hasRevision()
          ? Number(BigInt(streamOptions.getRevision()))
          : stream.length - 1;
        selected = stream.slice(Math.max(0, from - count + 1), from + 1).reverse();
      }
    } else {
      const allOptions = options.getAll()!;
      const position = allOptions.hasPosition() ? toLogPosition(allOptions.getPosition()!) : undefined;
      const records = this.log.records.filter((record) => matchesFilter(record, filter));
      if (forwards) {
        // Reading $all forwards from a position includes the event at that position, as on the server.
        const start = allOptions.hasEnd()
          ? []
          : position
            ? records.filter((record) => !isBefore(record, position))
            : records;
        selected = start.slice(0, count);
      } else {
        const start = allOptions.hasStart()
          ? []
          : position
            ? records.filter((record) => isBefore(record, position))
            : records;
        selected = start.slice(-count).reverse();
      }
    }
    for (const record of selected) {
      call.write(new ReadResp().setEvent(toReadEvent(record, structuredIds)));
    }
    call.end();
  }

  private subscribe(
    call: grpc.ServerWritableStream<ReadReq, ReadResp>,
    options: ReadReq.Options,
    filter: EventFilter | undefined,
    structuredIds: boolean,
  ): void {
    const allOptions = options.getAll()!;
    const filterOptions = options.getFilter();
    const window = filterOptions?.hasMax() ? filterOptions.getMax() : DEFAULT_SEARCH_WINDOW;
    const checkpointInterval = Math.max(1, (filterOptions?.getCheckpointintervalmultiplier() || 1) * window);
    let considered = 0;
    let stopped = false;

    const consider = (record: StoredRecord) => {
      if (matchesFilter(record, filter))
        call.write(new ReadResp().setEvent(toReadEvent(record, structuredIds)));
      considered += 1;
      // The checkpoint is the position of the last record considered: everything up to it has been sent or
      // filtered out, so a client may resume strictly after it.
      if (filter && considered % checkpointInterval === 0) call.write(checkpoint(record.position));
    };

    call.write(
      new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())),
    );
    // Catch-up and the switch to live happen in one tick, so no append can slip between them.
    // From a position the subscription is exclusive: it starts strictly after that event, as the server does.
    const from = allOptions.hasPosition() ? toLogPosition(allOptions.getPosition()!) : undefined;
    this.subscriptionStarts.push(from);
    const backlog = allOptions.hasEnd()
      ? []
      : this.log.records.filter((record) => (from ? isAfter(record, from) : true));
    for (const record of backlog) consider(record);
    const last = this.log.records[this.log.records.length - 1];
    // As the server does on going live: a checkpoint, then CaughtUp (which servers before 23.10 never send).
    if (filter && last) call.write(checkpoint(last.position));
    if (this.options.caughtUp !== false) call.write(new ReadResp().setCaughtUp(new ReadResp.CaughtUp()));
    const unlisten = this.log.onAppend((records) => {
      if (!stopped) for (const record of records) consider(record);
    });

    const subscription: ActiveSubscription = {
      call,
      stop: () => {
        stopped = true;
        unlisten();
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    call.on('cancelled', () => subscription.stop());
    call.on('close', () => subscription.stop());
  }

  private append(
    call: grpc.ServerReadableStream<AppendReq, AppendResp>,
    callback: grpc.sendUnaryData<AppendResp>,
  ): void {
    let header: AppendReq.Options | undefined;
    const proposed: ProposedEvent[] = [];
    call.on('data', (request: AppendReq) => {
      if (request.hasOptions()) header = request.getOptions();
      else if (request.hasProposedMessage()) proposed.push(toProposed(request.getProposedMessage()!));
    });
    call.on('end', () => {
      this.appendRequests += 1;
      const refused = this.refusal('append', call.metadata);
      if (refused) return callback(refused);
      if (!header) return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'no options sent' });
      const streamId = utf8(header.getStreamIdentifier()!.getStreamName_asU8());
      const maxAppendSize = this.options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE;
      if (appendSize(proposed) > maxAppendSize) {
        return callback(
          serviceError(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
            exception: 'maximum-append-size-exceeded',
            'maximum-append-size': String(maxAppendSize),
          }),
        );
      }
      const expected: Expected = header.hasRevision()
        ? { kind: 'revision', revision: BigInt(header.getRevision()) }
        : header.hasNoStream()
          ? { kind: 'no-stream' }
          : header.hasStreamExists()
            ? { kind: 'exists' }
            : { kind: 'any' };
      const outcome = this.log.append(streamId, expected, proposed);
      if (outcome.kind === 'stream-deleted') return callback(streamDeletedError(streamId));
      const response = new AppendResp();
      if (outcome.kind === 'wrong-expected-version') {
        const wrong = new AppendResp.WrongExpectedVersion();
        if (outcome.current === 'no-stream') wrong.setCurrentNoStream(new Empty());
        else wrong.setCurrentRevision(outcome.current.toString());
        if (expected.kind === 'revision') wrong.setExpectedRevision(expected.revision.toString());
        else if (expected.kind === 'no-stream') wrong.setExpectedNoStream(new Empty());
        else if (expected.kind === 'exists') wrong.setExpectedStreamExists(new Empty());
        else wrong.setExpectedAny(new Empty());
        response.setWrongExpectedVersion(wrong);
      } else {
        const success = new AppendResp.Success().setCurrentRevision(outcome.revision.toString());
        if (this.reportsPosition(outcome)) {
          success.setPosition(
            new AppendResp.Position()
              .setCommitPosition(outcome.position.toString())
              .setPreparePosition(outcome.position.toString()),
          );
        } else {
          success.setNoPosition(new Empty());
        }
        response.setSuccess(success);
      }
      this.answerAfterFault(outcome, streamId, () => callback(null, response), callback);
    });
  }

  private reportsPosition(outcome: AppendOutcome): boolean {
    return outcome.kind === 'written' || this.options.idempotentAnswer !== 'no-position';
  }

  /** The first queued fault for a committed append to this stream, taken off the queue. */
  private takeFault(outcome: AppendOutcome, streamId: string): AppendFault | undefined {
    if (outcome.kind !== 'written') return undefined;
    const index = this.appendFaults.findIndex(
      (fault) => fault.stream === undefined || fault.stream === streamId,
    );
    return index < 0 ? undefined : this.appendFaults.splice(index, 1)[0];
  }

  /** Applies the next queued fault to a committed append: answer late, or with an error. */
  private answerAfterFault(
    outcome: AppendOutcome,
    streamId: string,
    answer: () => void,
    fail: (error: grpc.ServiceError) => void,
  ): void {
    const fault = this.takeFault(outcome, streamId);
    if (!fault) return answer();
    if (fault.kind === 'delay') {
      setTimeout(answer, fault.ms).unref();
      return;
    }
    fail(
      Object.assign(new Error('test double: failed after commit'), {
        code: fault.code,
        details: 'test double: failed after commit',
        metadata: new grpc.Metadata(),
      }),
    );
  }

  private batchAppend(call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
    const pending = new Map<
      string,
      { options?: BatchAppendReq.Options | undefined; events: ProposedEvent[] }
    >();
    call.on('data', (request: BatchAppendReq) => {
      const correlation = request.getCorrelationId()!;
      const key = correlation.hasStructured()
        ? JSON.stringify(correlation.toObject())
        : correlation.getString();
      const entry = pending.get(key) ?? { events: [] };
      if (request.hasOptions()) entry.options = request.getOptions();
      entry.events.push(...request.getProposedMessagesList().map(toProposed));
      pending.set(key, entry);
      if (!request.getIsFinal()) return;
      pending.delete(key);
      this.appendRequests += 1;
      const options = entry.options!;
      const identifier = options.getStreamIdentifier()!;
      const streamId = utf8(identifier.getStreamName_asU8());
      const response = new BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(identifier);
      const refused = this.refusal('append', call.metadata);
      // The server answers access denied per request; anything else (NotLeader) fails the whole call.
      if (refused && refused.code !== grpc.status.PERMISSION_DENIED) {
        call.emit('error', refused);
        return;
      }
      const rpcError = (
        code: Code,
        message: string,
        type: string,
        detail: { serializeBinary(): Uint8Array },
      ) => {
        const details = new Any();
        details.pack(detail.serializeBinary(), type);
        call.write(response.setError(new Status().setCode(code).setMessage(message).setDetails(details)));
      };
      if (refused) {
        rpcError(
          Code.PERMISSION_DENIED,
          'Access Denied',
          'event_store.client.AccessDenied',
          new AccessDenied(),
        );
        return;
      }
      const maxAppendSize = this.options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE;
      if (appendSize(entry.events) > maxAppendSize) {
        rpcError(
          Code.INVALID_ARGUMENT,
          `Maximum Append Size of ${maxAppendSize} Exceeded.`,
          'event_store.client.MaximumAppendSizeExceeded',
          new MaximumAppendSizeExceeded().setMaxappendsize(maxAppendSize),
        );
        return;
      }
      const expected: Expected = options.hasStreamPosition()
        ? { kind: 'revision', revision: BigInt(options.getStreamPosition()) }
        : options.hasNoStream()
          ? { kind: 'no-stream' }
          : options.hasStreamExists()
            ? { kind: 'exists' }
            : { kind: 'any' };
      const outcome = this.log.append(streamId, expected, entry.events);
      if (outcome.kind === 'stream-deleted') {
        rpcError(
          Code.FAILED_PRECONDITION,
          `Event stream '${streamId}' is deleted.`,
          'event_store.client.StreamDeleted',
          new StreamDeleted().setStreamIdentifier(identifier),
        );
        return;
      }
      if (outcome.kind === 'wrong-expected-version') {
        const wrong = new SharedWrongExpectedVersion();
        if (outcome.current === 'no-stream') wrong.setCurrentNoStream(new ProtobufEmpty());
        else wrong.setCurrentStreamRevision(outcome.current.toString());
        if (expected.kind === 'revision') wrong.setExpectedStreamPosition(expected.revision.toString());
        else if (expected.kind === 'no-stream') wrong.setExpectedNoStream(new ProtobufEmpty());
        else if (expected.kind === 'exists') wrong.setExpectedStreamExists(new ProtobufEmpty());
        else wrong.setExpectedAny(new ProtobufEmpty());
        const details = new Any();
        details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
        response.setError(
          new Status()
            .setCode(Code.FAILED_PRECONDITION)
            .setMessage('WrongExpectedVersion')
            .setDetails(details),
        );
      } else {
        const success = new BatchAppendResp.Success().setCurrentRevision(outcome.revision.toString());
        if (this.reportsPosition(outcome)) {
          success.setPosition(
            new AllStreamPosition()
              .setCommitPosition(outcome.position.toString())
              .setPreparePosition(outcome.position.toString()),
          );
        } else {
          success.setNoPosition(new ProtobufEmpty());
        }
        response.setSuccess(success);
      }
      // BatchAppend calls have no client deadline: the server enforces the one in the options and answers
      // a request it could not confirm in time with a Timeout error, whether or not it was committed.
      const timeout = () => {
        const details = new Any();
        details.pack(new Empty().serializeBinary(), 'event_store.client.Timeout');
        call.write(
          new BatchAppendResp()
            .setCorrelationId(correlation)
            .setStreamIdentifier(identifier)
            .setError(new Status().setCode(Code.DEADLINE_EXCEEDED).setMessage('Timeout').setDetails(details)),
        );
      };
      const fault = this.takeFault(outcome, streamId);
      if (!fault) {
        call.write(response);
      } else if (fault.kind === 'delay') {
        const deadline = options.getDeadline()?.toDate().getTime() ?? Number.POSITIVE_INFINITY;
        const late = Date.now() + fault.ms > deadline;
        setTimeout(
          () => (late ? timeout() : call.write(response)),
          Math.min(fault.ms, deadline - Date.now()),
        ).unref();
      } else {
        timeout();
      }
    });
    call.on('end', () => call.end());
  }
}

/** A gRPC error with the trailers KurrentDB puts on it (`exception` and its details), as the client reads them. */
function serviceError(
  code: grpc.status,
  details: string,
  trailers: Record<string, string> = {},
): grpc.ServiceError {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

const streamDeletedError = (streamId: string) =>
  serviceError(grpc.status.FAILED_PRECONDITION, `Event stream '${streamId}' is deleted.`, {
    exception: 'stream-deleted',
    'stream-name': streamId,
  });

/** Roughly the server's size of an append: each event's type, data and metadata. */
const appendSize = (events: ProposedEvent[]): number =>
  events.reduce(
    (size, event) => size + Buffer.byteLength(event.type) + event.data.length + event.customMetadata.length,
    0,
  );

/** Strictly before `position` in $all order. */
const isBefore = (record: StoredRecord, position: LogPosition): boolean =>
  record.position < position.commit ||
  (record.position === position.commit && record.position < position.prepare);

const toLogPosition = (position: {
  getCommitPosition(): string;
  getPreparePosition(): string;
}): LogPosition => ({
  commit: BigInt(position.getCommitPosition()),
  prepare: BigInt(position.getPreparePosition()),
});

const checkpoint = (position: bigint) =>
  new ReadResp().setCheckpoint(
    new ReadResp.Checkpoint().setCommitPosition(position.toString()).setPreparePosition(position.toString()),
  );

function toFilter(options: ReadReq.Options.FilterOptions): EventFilter {
  const on = options.hasStreamIdentifier() ? 'stream' : 'event-type';
  const expression = on === 'stream' ? options.getStreamIdentifier()! : options.getEventType()!;
  return {
    on,
    ...(expression.getRegex() ? { regex: expression.getRegex() } : {}),
    prefixes: expression.getPrefixList(),
  };
}

function uuidText(uuid: UUID | undefined): string {
  if (!uuid) return randomUUID();
  if (!uuid.hasStructured()) return uuid.getString();
  const structured = uuid.getStructured()!;
  const hex = (value: string) => BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, '0');
  const all = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return `${all.slice(0, 8)}-${all.slice(8, 12)}-${all.slice(12, 16)}-${all.slice(16, 20)}-${all.slice(20)}`;
}

function toProposed(message: AppendReq.ProposedMessage | BatchAppendReq.ProposedMessage): ProposedEvent {
  const metadata = message.getMetadataMap();
  return {
    eventId: uuidText(message.getId()),
    type: metadata.get('type') ?? '',
    contentType: metadata.get('content-type') ?? 'application/octet-stream',
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}

function toReadEvent(record: StoredRecord, structuredIds: boolean): ReadResp.ReadEvent {
  const id = new UUID();
  if (structuredIds) {
    const hex = record.eventId.replace(/-/g, '');
    id.setStructured(
      new UUID.Structured()
        .setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString())
        .setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString()),
    );
  } else {
    id.setString(record.eventId);
  }
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(id)
    .setStreamIdentifier(new StreamIdentifier().setStreamName(Buffer.from(record.streamId, 'utf8')))
    .setStreamRevision(record.revision.toString())
    .setCommitPosition(record.position.toString())
    .setPreparePosition(record.position.toString())
    .setData(record.data)
    .setCustomMetadata(record.customMetadata);
  recorded
    .getMetadataMap()
    .set('type', record.type)
    .set('content-type', record.contentType)
    .set('created', record.created.toString());
  return new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(record.position.toString());
}
