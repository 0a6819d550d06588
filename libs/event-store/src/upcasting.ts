import type { DomainEvent, Instant } from '@ledger/domain';
import type { RecordedEvent } from './event-envelope';

/** Lifts the data of one (type, schema version) one version up. */
export type Upcaster = (data: unknown) => unknown;

/**
 * Upcasters by `<type>@<version they read>`: stored events keep the shape they were written with; every
 * reader (the command handler's fold, the projector) sees the current shape, lifted one version at a time.
 */
export type Upcasters = Readonly<Record<string, Upcaster>>;

/** The ledger's upcasters. None is needed yet: every type is at version 1. */
export const LEDGER_UPCASTERS: Upcasters = {};

/** The event in its current shape, as deciders and projections read it. */
export function toDomainEvent(event: RecordedEvent, upcasters: Upcasters = LEDGER_UPCASTERS): DomainEvent {
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
