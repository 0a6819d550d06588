import type { DomainEvent, Instant } from '@ledger/domain';
import type { RecordedEvent } from './event-envelope';

/**
 * Stored events keep the shape they were written with; readers see the current shape. An upcaster per
 * (type, schemaVersion) lifts an old shape one version up. None is needed yet: every type is at version 1.
 */
type Upcaster = (data: unknown) => unknown;
const upcasters: Record<string, Upcaster> = {};

export function toDomainEvent(event: RecordedEvent): DomainEvent {
  let data = event.data;
  for (let version = event.schemaVersion; ; version += 1) {
    const upcast = upcasters[`${event.type}@${version}`];
    if (!upcast) break;
    data = upcast(data);
  }
  return { type: event.type, data, effectiveAt: event.effectiveAt as Instant };
}

/** The schema version new events are written with; a new shape raises it and adds an upcaster above. */
export const CURRENT_SCHEMA_VERSION = 1;
