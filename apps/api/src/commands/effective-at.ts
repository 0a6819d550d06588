import { type Instant, parseInstant } from '@ledger/domain';

/** The edge's clock: the only place a command's times are read from it. */
const clock = (): Instant => new Date().toISOString() as Instant;

/** The command's effective time: the body's `effectiveAt`, or now. */
export const effectiveAtOf = (body: { effectiveAt?: string }): Instant =>
  body.effectiveAt === undefined ? clock() : parseInstant(body.effectiveAt, 'effectiveAt');

/**
 * Both times a command carries into the domain: when its fact holds (`effectiveAt`, default now) and when it
 * arrived (`now`), against which the domain refuses facts effective in the future.
 */
export function commandTimes(body: { effectiveAt?: string }): { effectiveAt: Instant; now: Instant } {
  const now = clock();
  return {
    effectiveAt: body.effectiveAt === undefined ? now : parseInstant(body.effectiveAt, 'effectiveAt'),
    now,
  };
}
