import { useEffect, useState } from 'preact/hooks';
import { ApiProblem } from './api';

export type Loaded<T> =
  { state: 'loading' } | { state: 'failed'; problem: ApiProblem } | { state: 'loaded'; data: T };

const LOADING = { state: 'loading' } as const;

/**
 * Runs `load` whenever `key` changes (what it fetches, URL and all) and drops an answer that arrives after
 * the key moved on. An answer is shown only under the key it was loaded for, so a view never shows the
 * figures of the previous URL, not even for the one render before the new load starts. `key` null:
 * nothing to load yet.
 */
export function useLoad<T>(key: string | null, load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [loaded, setLoaded] = useState<{ key: string; value: Loaded<T> }>();
  useEffect(() => {
    if (key === null) return;
    const controller = new AbortController();
    const settle = (value: Loaded<T>) => {
      if (!controller.signal.aborted) setLoaded({ key, value });
    };
    load(controller.signal).then(
      (data) => settle({ state: 'loaded', data }),
      (error: unknown) =>
        settle({
          state: 'failed',
          problem:
            error instanceof ApiProblem
              ? error
              : new ApiProblem(0, 'page-error', 'The page failed', (error as Error).message),
        }),
    );
    return () => controller.abort();
    // `load` is a new function on every render; `key` names what it loads.
  }, [key]);
  return loaded !== undefined && loaded.key === key ? loaded.value : LOADING;
}
