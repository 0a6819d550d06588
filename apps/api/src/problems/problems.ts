/** One bad input field, as listed in a validation problem's `errors`. */
export interface FieldError {
  /** dotted path of the field, e.g. `participants[0].sharePercent` */
  field: string;
  message: string;
}

/**
 * An RFC 9457 problem. `code` is stable and documented; clients branch on it, never on `title` or
 * `detail`, which may be reworded.
 */
export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? title);
    this.name = 'Problem';
  }

  body(instance?: string): Record<string, unknown> {
    return {
      type: problemType(this.code),
      title: this.title,
      status: this.status,
      code: this.code,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(instance ? { instance } : {}),
      ...this.extensions,
    };
  }
}

/** Problem types are URNs: stable identifiers that promise no page to dereference. */
export const problemType = (code: string): string => `urn:minerals-ledger:problem:${code}`;

export class ValidationProblem extends Problem {
  constructor(errors: FieldError[]) {
    super(
      400,
      'validation-failed',
      'The request is not valid',
      errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      {
        errors,
      },
    );
  }
}

export class UnauthorizedProblem extends Problem {
  constructor() {
    super(
      401,
      'unauthorized',
      'A valid API key is required',
      'send `Authorization: Bearer <key>`',
      {},
      {
        'WWW-Authenticate': 'Bearer realm="minerals-ledger"',
      },
    );
  }
}

export class ForbiddenProblem extends Problem {
  constructor(detail: string) {
    super(403, 'forbidden', 'This key may not do that', detail);
  }
}

export class NotFoundProblem extends Problem {
  constructor(detail: string) {
    super(404, 'not-found', 'Not found', detail);
  }
}

export class ConflictProblem extends Problem {
  constructor(detail: string) {
    super(409, 'conflict', 'Conflict', detail);
  }
}

export class UnavailableProblem extends Problem {
  constructor(detail: string, retryAfterSeconds: number) {
    super(503, 'unavailable', 'Try again shortly', detail, {}, { 'Retry-After': String(retryAfterSeconds) });
  }
}
