import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { canonicalJson, deterministicEntityId, newId } from '@ledger/event-store';
import { createHash } from 'node:crypto';
import type { Principal } from '../auth/api-keys';
import type { AuthenticatedRequest } from '../auth/auth.decorators';
import { correlationIdOf } from '../http/request-context';
import { ValidationProblem } from '../problems/problems';

/** The HTTP facts a command needs besides its body: who, which key, which revision, which request. */
export type CommandRequest = {
  principal: Principal;
  correlationId: string;
  expectedRevision?: bigint;
  /** A new entity id: derived from the Idempotency-Key when there is one, so retries target one entity. */
  newEntityId(role: string): string;
} & (
  | { idempotencyKey?: undefined }
  | {
      idempotencyKey: string;
      /** hash of method, path and body: the same Idempotency-Key with another request is refused */
      fingerprint: string;
    }
);

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const IF_MATCH = /^"(0|[1-9][0-9]{0,18})"$/;

const fingerprintOf = (request: AuthenticatedRequest): string =>
  createHash('sha256')
    .update(canonicalJson({ method: request.method, path: request.path, body: request.body ?? null }))
    .digest('hex');

export function commandRequestOf(request: AuthenticatedRequest): CommandRequest {
  const principal = request.principal;
  if (!principal) throw new Error('commands need an authenticated principal');
  const idempotencyKey = request.header('idempotency-key');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new ValidationProblem([
      { field: 'Idempotency-Key', message: 'must be 1–255 printable ASCII characters' },
    ]);
  }
  const ifMatch = request.header('if-match');
  const revision = ifMatch === undefined ? undefined : IF_MATCH.exec(ifMatch.replace(/^W\//, ''))?.[1];
  if (ifMatch !== undefined && revision === undefined) {
    throw new ValidationProblem([{ field: 'If-Match', message: 'must be a quoted revision such as "3"' }]);
  }
  // The id the response already carries, so that the events record the one the client got back.
  const correlationId = correlationIdOf(request);
  const facts = {
    principal,
    correlationId,
    ...(revision === undefined ? {} : { expectedRevision: BigInt(revision) }),
    newEntityId: (role: string) =>
      idempotencyKey === undefined ? newId() : deterministicEntityId(principal.name, idempotencyKey, role),
  };
  // Only a keyed command is compared with an earlier one; the body is hashed as it arrived, before any pipe.
  return idempotencyKey === undefined
    ? facts
    : { ...facts, idempotencyKey, fingerprint: fingerprintOf(request) };
}

/** Injects the CommandRequest of a command route. */
export const CommandContext = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  commandRequestOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);
