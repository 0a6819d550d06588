import { type Decider, type DomainEvent, fold } from '../shared/decider';
import type { DomainErrorKind } from '../shared/domain-error';
import { refusal } from './refusal';

/** What a refusal must say besides its code; only the members given are checked. */
export interface ExpectedRefusal {
  /** the input field at fault */
  field?: string;
  kind?: DomainErrorKind;
}

/**
 * given(events).when(command).then(events) / .thenFails(code, { field, kind }): the shape every decider
 * test takes. Test-only; no Nest, no mocks.
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
            thenFails(code: string, expected: ExpectedRefusal = {}): void {
              const failure = refusal(run);
              expect({
                code: failure.code,
                ...('field' in expected ? { field: failure.field } : {}),
                ...('kind' in expected ? { kind: failure.kind } : {}),
              }).toEqual({ code, ...expected });
            },
          };
        },
      };
    },
  };
}
