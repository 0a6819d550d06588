import { categoryOfStream } from '@ledger/domain';
import {
  eventHash,
  LEDGER_UPCASTERS,
  type RecordedEvent,
  toDomainEvent,
  type Upcasters,
} from '@ledger/event-store';
import type { ProjectedEnvelope } from '../read-model';

/** A projected event of any type, as the store hands it to every read model. */
export type AnyProjected = ProjectedEnvelope & { readonly type: string; readonly data: unknown };

/**
 * Turns stored events into what projections receive: each upcast once to its current shape (the same
 * upcasters the command handler folds with), its entity id parsed from the stream id, and its recorded time
 * clamped to the running maximum along positions. SQLite and PostgreSQL store recorded times that never
 * decrease, so the clamp changes nothing there; EventStoreDB reports its server's wall clock, which may step
 * back, and `knownAt=<time>` must still cut the log at one point.
 */
export class EventProjector {
  constructor(
    /** the recorded time of the event before the first one this will see */
    private floor = '',
    private readonly upcasters: Upcasters = LEDGER_UPCASTERS,
  ) {}

  get recordedAtFloor(): string {
    return this.floor;
  }

  project(events: readonly RecordedEvent[]): AnyProjected[] {
    return events.map((event) => {
      if (event.recordedAt > this.floor) this.floor = event.recordedAt;
      const domain = toDomainEvent(event, this.upcasters);
      const category = categoryOfStream(event.streamId);
      return {
        type: domain.type,
        data: domain.data,
        effectiveAt: domain.effectiveAt,
        recordedAt: this.floor,
        position: event.position,
        eventId: event.eventId,
        streamId: event.streamId,
        entityId: event.streamId.slice(category.length + 1),
        // the sealed hash; an event stored without one is hashed from its content, as the verifier does
        hash: typeof event.metadata?.hash === 'string' ? event.metadata.hash : eventHash(event),
      };
    });
  }
}
