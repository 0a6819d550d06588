/**
 * The adapter's link to the server: which client (node) it talks to, whether that server can serve the
 * ledger, following the leader, and reads bounded in time. The only place that creates an
 * `EventStoreDBClient`.
 */
import { EventStoreDBClient, type StreamingRead } from '@eventstore/db-client';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { StoreUnavailableError } from '../event-store.port';
import { ConfigError } from '../store-config';
import { leaderNamedBy, toStoreError } from './eventstoredb-mapping';

export interface Endpoint {
  address: string;
  port: number;
}

/** How often a call that requires the leader follows a NotLeader answer before it gives up. */
const MAX_LEADER_HOPS = 3;

/**
 * The same server or cluster, reached at its leader. A single node (`esdb://host:port`) is replaced by the
 * leader the follower named. A cluster (several hosts, or `+discover`) is rediscovered with
 * `nodePreference=leader`: gossip finds the leader, and the client keeps following the cluster after that.
 */
export function leaderConnectionString(connectionString: string, leader: Endpoint): string {
  const match = /^(esdb(?:\+discover)?):\/\/(?:([^@/?]*)@)?([^/?]*)(\/?)(?:\?(.*))?$/i.exec(
    connectionString.trim(),
  );
  if (!match) return connectionString;
  const [, protocol, credentials, hosts, slash, query] = match;
  const userinfo = credentials === undefined ? '' : `${credentials}@`;
  if (protocol!.toLowerCase() === 'esdb' && !hosts!.includes(',')) {
    const rest = query === undefined ? slash : `${slash}?${query}`;
    return `${protocol}://${userinfo}${leader.address}:${leader.port}${rest}`;
  }
  // Option names are matched as the client does: case, dashes and underscores do not count.
  const others = (query ?? '')
    .split('&')
    .filter(
      (pair) => pair !== '' && pair.split('=')[0]!.replace(/[-_]/g, '').toLowerCase() !== 'nodepreference',
    );
  return `${protocol}://${userinfo}${hosts}${slash}?${[...others, 'nodePreference=leader'].join('&')}`;
}

/** The cached answer of ServerFeatures.GetSupportedMethods, which client 6.2.1 keeps `protected`. */
interface ServerFeatures {
  serverVersion: string;
  supports(method: unknown, feature?: string): boolean;
}
const featuresOf = (client: EventStoreDBClient): Promise<ServerFeatures> =>
  Reflect.get(client, 'capabilities') as Promise<ServerFeatures>;

export class EsdbConnection {
  private current: EventStoreDBClient;
  /**
   * Clients replaced after a NotLeader answer. They are disposed only at close: disposing cancels their
   * calls still in flight, and the client ends a read it cancelled itself as if it were complete.
   */
  private readonly replaced: EventStoreDBClient[] = [];
  private supported: Promise<void> | undefined;

  constructor(
    private readonly connectionString: string,
    /** the longest silence of the server during a read before it counts as stalled */
    readonly readTimeoutMs: number,
  ) {
    this.current = EventStoreDBClient.connectionString(connectionString);
  }

  get client(): EventStoreDBClient {
    return this.current;
  }

  /**
   * Refuses (ConfigError) a server whose stream reads carry no log positions (before EventStoreDB 22.10):
   * the ledger's envelopes need them. Asked once; a server that cannot be reached is asked again next time.
   */
  ensureSupported(): Promise<void> {
    this.supported ??= this.checkFeatures().catch((error: unknown) => {
      this.supported = undefined;
      throw error;
    });
    return this.supported;
  }

  private async checkFeatures(): Promise<void> {
    let features: ServerFeatures;
    try {
      features = await featuresOf(this.current);
    } catch (error) {
      throw toStoreError('feature check', error);
    }
    if (!features.supports(StreamsService.read, 'position')) {
      throw new ConfigError(
        `The EventStoreDB server (version ${features.serverVersion}) does not report log positions on stream ` +
          'reads; the ledger needs EventStoreDB 22.10 or later, or KurrentDB',
      );
    }
  }

  /**
   * Runs a call that must reach the leader (`requiresLeader: true` on it). A follower refuses it naming the
   * leader; the call then runs again on a new client connected to that leader. Running it again is safe:
   * reads change nothing, and an append with an explicit revision and the same event ids is idempotent on
   * the server.
   */
  async onLeader<T>(work: (client: EventStoreDBClient) => Promise<T>): Promise<T> {
    for (let hop = 1; ; hop += 1) {
      const client = this.current;
      try {
        return await work(client);
      } catch (error) {
        const leader = leaderNamedBy(error);
        if (!leader || hop >= MAX_LEADER_HOPS) throw error;
        this.followLeader(client, leader);
      }
    }
  }

  private followLeader(failed: EventStoreDBClient, leader: Endpoint): void {
    // Concurrent calls refused by the same follower switch once.
    if (failed !== this.current) return;
    this.replaced.push(failed);
    this.current = EventStoreDBClient.connectionString(leaderConnectionString(this.connectionString, leader));
  }

  /**
   * Every item of a read, or StoreUnavailableError once the server has been silent for `readTimeoutMs`:
   * client 6.2.1 gives reads no deadline, so a half-open connection would hold a command until keepalive
   * gives up (20 s). A read that keeps answering is healthy however long it takes. The stalled call is
   * cancelled, which frees it on the server too.
   */
  collect<T>(read: StreamingRead<T>, what: string): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      const items: T[] = [];
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        outcome();
      };
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          settle(() =>
            reject(
              new StoreUnavailableError(
                `EventStoreDB did not answer the ${what} for ${this.readTimeoutMs} ms; the call was cancelled`,
              ),
            ),
          );
          read.cancel().catch(() => undefined);
        }, this.readTimeoutMs);
      };
      read.on('data', (item: T) => {
        items.push(item);
        if (!settled) arm();
      });
      // `on`, not `once`: an 'error' with no listener left would crash the process.
      read.on('error', (error) => settle(() => reject(error)));
      read.once('end', () => settle(() => resolve(items)));
      arm();
    });
  }

  async close(): Promise<void> {
    await Promise.all([this.current, ...this.replaced].map((client) => client.dispose()));
  }
}
