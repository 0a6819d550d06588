import type { Instant } from '../values/instant';
import { ruleBroken } from './domain-error';

/** How far a recording clock may run behind the clock of whoever says a fact happened "now". */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

/**
 * Facts that happened (a delivery, an acquisition) cannot be effective after the moment they are recorded;
 * five minutes of clock skew between the client and the ledger are allowed [effective-in-future].
 */
export function requireHappened(effectiveAt: Instant, now: Instant, what: string): void {
  if (Date.parse(effectiveAt) > Date.parse(now) + CLOCK_SKEW_MS) {
    throw ruleBroken(
      'effective-in-future',
      `${what} is effective at ${effectiveAt}, after it is recorded (${now}); only commitments may name future dates`,
    );
  }
}

/** Nothing is effective before its entity began [before-establishment]. */
export function requireNotBefore(effectiveAt: Instant, began: Instant, what: string): void {
  if (effectiveAt < began) {
    throw ruleBroken(
      'before-establishment',
      `${what} is effective at ${effectiveAt}, before it began (${began})`,
    );
  }
}
