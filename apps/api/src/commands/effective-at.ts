import { type Instant, parseInstant } from '@ledger/domain';

/** The command's effective time: the body's `effectiveAt`, or now. The clock is read here, at the edge. */
export const effectiveAtOf = (body: { effectiveAt?: string }): Instant =>
  body.effectiveAt === undefined
    ? (new Date().toISOString() as Instant)
    : parseInstant(body.effectiveAt, 'effectiveAt');
