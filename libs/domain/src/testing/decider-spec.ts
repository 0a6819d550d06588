import { DomainError } from '../shared/domain-error';
import { type Decider, type DomainEvent, fold } from '../shared/decider';

/**
 * given(events).when(command).then(events) / .thenFails(code): the shape every decider test takes.
 * Test-only; no Nest, no mocks.
 */
export function deciderSpec<Command, Event extends DomainEvent, State>(
  decider: Decider<Command, Event, State>,
) {
  return {
    given(history: Event[]) {
      return {
        when(command: Command) {
          const run = () => decider.decide(command, fold(decider, history));
          return {
            then(expected: Event[]): void {
              expect(run()).toEqual(expected);
            },
            thenFails(code: string): void {
              let failure: unknown;
              try {
                run();
              } catch (error) {
                failure = error;
              }
              expect(failure).toBeInstanceOf(DomainError);
              expect((failure as DomainError).code).toBe(code);
            },
          };
        },
      };
    },
  };
}
