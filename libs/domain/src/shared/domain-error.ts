/**
 * Every refusal the domain makes carries a stable `code` that clients may branch on. The kind tells the
 * HTTP edge which status to use without the domain knowing anything about HTTP.
 */
export type DomainErrorKind =
  /** the input's shape or value is wrong (HTTP 400) */
  | 'invalid'
  /** the entity does not exist (HTTP 404) */
  | 'not-found'
  /** the entity exists already or the id is taken (HTTP 409) */
  | 'conflict'
  /** a business rule refuses the command (HTTP 422) */
  | 'rule';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    /** the input field at fault, when there is one (a JSON-pointer-like dotted path) */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A value that fails its own rules: malformed amount, unknown country, and so on. */
export const invalidValue = (field: string, message: string, code = 'validation-failed'): DomainError =>
  new DomainError('invalid', code, message, field);

export const ruleBroken = (code: string, message: string): DomainError =>
  new DomainError('rule', code, message);

export const notFound = (what: string, id: string): DomainError =>
  new DomainError('not-found', 'not-found', `${what} ${id} does not exist`);

export const alreadyExists = (what: string, id: string): DomainError =>
  new DomainError('conflict', 'conflict', `${what} ${id} already exists`);
