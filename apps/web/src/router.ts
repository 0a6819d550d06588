import { useEffect, useState } from 'preact/hooks';

/** Where the API serves the app; every page is a path below it. */
export const BASE = '/app';

const NAVIGATED = 'ledger:navigated';

export interface Route {
  /** the path below /app, split: `/app/exposure/JP/gallium` is ['exposure', 'JP', 'gallium'] */
  segments: string[];
  params: URLSearchParams;
}

function currentRoute(): Route {
  const below = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '';
  return {
    segments: below
      .split('/')
      .filter(Boolean)
      .map((segment) => decodeURIComponent(segment)),
    params: new URLSearchParams(location.search),
  };
}

/** The route of the address bar, kept current on every navigation (links, controls, back and forward). */
export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    addEventListener('popstate', update);
    addEventListener(NAVIGATED, update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener(NAVIGATED, update);
    };
  }, []);
  return route;
}

/** Every state lives in the URL, so a link shared or reloaded shows the same thing. */
export function navigate(href: string, options: { replace?: boolean } = {}): void {
  if (href === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', href);
  else history.pushState(null, '', href);
  dispatchEvent(new Event(NAVIGATED));
}

export type Params = Record<string, string | undefined>;

/** A path below /app with query parameters; empty and undefined values are left out. */
export function hrefOf(segments: readonly string[], params: Params = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) query.set(name, value);
  const path = [BASE, ...segments.map(encodeURIComponent)].join('/');
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

/** The two times every page carries, so that moving between pages keeps the user where they are in time. */
export const TIME_PARAMS = ['asOf', 'knownAt'] as const;

export function timesOf(params: URLSearchParams): Params {
  return Object.fromEntries(TIME_PARAMS.map((name) => [name, params.get(name) ?? undefined]));
}

/** The same page with some parameters changed (undefined removes one). */
export function withParams(route: Route, changes: Params): string {
  const params: Params = Object.fromEntries(route.params);
  return hrefOf(route.segments, { ...params, ...changes });
}

/**
 * Follows a link inside the app without a page load; a click the browser should handle itself (another
 * tab, a download, a modified click) is left to it.
 */
export function followLink(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href);
  // An anchor on this page (the skip link) is the browser's to follow.
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
  if (url.origin !== location.origin || !(url.pathname === BASE || url.pathname.startsWith(`${BASE}/`)))
    return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
