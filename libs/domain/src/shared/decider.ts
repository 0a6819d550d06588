import type { Instant } from '../values/instant';

/** A fact as the domain sees it: a past-tense type, its data, and when it holds in the world. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
  readonly effectiveAt: Instant;
}

/**
 * A decider per aggregate (after Jérémie Chassaing and Emmett): `decide` turns a command and the state
 * folded from the stream into new events, or throws a DomainError; `evolve` folds one event into state.
 * Both are pure: time and new ids arrive inside the command.
 */
export interface Decider<Command, Event extends DomainEvent, State> {
  readonly initialState: State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

/** Exhaustiveness guard for switches over commands and events. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}

/** Folds a whole stream. */
export const fold = <Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  events: readonly Event[],
): State => events.reduce(decider.evolve, decider.initialState);
