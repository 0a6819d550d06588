import { useEffect } from 'preact/hooks';
import { dayOf } from './dates';
import type { Route } from './router';

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Minerals Ledger`;
  }, [title]);
}

/** "as of 2026-03-01, known at position 24": the two times a view answers for. */
export function cutLabel(route: Route): string {
  const knownAt = route.params.get('knownAt');
  const known = !knownAt
    ? 'as known now'
    : /^\d+$/.test(knownAt)
      ? `known at position ${knownAt}`
      : `known at ${knownAt}`;
  return `as of ${dayOf(route.params.get('asOf') ?? undefined)}, ${known}`;
}
