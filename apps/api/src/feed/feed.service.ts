import { type BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import type { EventStore } from '@ledger/event-store';
import type { Response } from 'express';
import { AuditTrail } from '../audit/audit-trail';
import type { LedgerConfig } from '../config/ledger-config';
import { correlationIdOf, writingForRequest } from '../http/request-context';
import { UnavailableProblem } from '../problems/problems';
import { EVENT_STORE, LEDGER_CONFIG } from '../wiring/tokens';
import { Feed, type FeedWrite } from './feed';
import { feedAccepts, type FeedFilter } from './feed-message';

/** Events read from the store at a time for one feed. */
const FEED_PAGE_SIZE = 100;

/**
 * The open feeds of this process. On shutdown, before the HTTP server closes and the stores with it, every
 * feed ends: otherwise its connection would keep the drain waiting for ever.
 */
@Injectable()
export class FeedService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Feed');
  private readonly open = new Map<Feed, Promise<void>>();
  private readonly observers = new Set<(write: FeedWrite) => void>();
  private shuttingDown = false;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly audit: AuditTrail,
  ) {}

  /** Serves a feed on the response until the client goes away or the server shuts down. */
  async serve(response: Response, after: bigint, filter: FeedFilter): Promise<void> {
    if (this.shuttingDown) throw new UnavailableProblem('the server is shutting down', 1);
    const correlationId = correlationIdOf(response.req);
    const feed = new Feed(this.store, response, {
      after,
      // the log index's digest nearest before `after`, plus the events up to it
      evidence: await this.audit.digest({ position: after }),
      accepts: feedAccepts(filter),
      heartbeatMs: this.config.feedHeartbeatMs,
      pageSize: FEED_PAGE_SIZE,
      onWritten: (write) => this.observers.forEach((observe) => observe(write)),
      onError: (message) => writingForRequest(correlationId, () => this.logger.warn(message)),
    });
    const running = feed.run();
    this.open.set(feed, running);
    try {
      await running;
    } finally {
      this.open.delete(feed);
    }
  }

  /** Calls `observer` after every write of every feed (a test's hook); returns the function that stops it. */
  observe(observer: (write: FeedWrite) => void): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** How many feeds are open now. */
  get openFeeds(): number {
    return this.open.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    const running = [...this.open];
    for (const [feed] of running) feed.close({ shutdown: true });
    await Promise.all(running.map(([, done]) => done));
  }
}
