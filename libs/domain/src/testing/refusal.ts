import { DomainError } from '../shared/domain-error';

/** Runs `run`, asserts it throws a DomainError, and returns it so the test can check its code and field. */
export function refusal(run: () => unknown): DomainError {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DomainError);
  return thrown as DomainError;
}
