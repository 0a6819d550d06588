import type { Params } from './router';

/** Session storage only: the key lives as long as the tab, and never travels in a URL or a cookie. */
const KEY_STORAGE = 'ledger.apiKey';
const KEY_CHANGED = 'ledger:key-changed';

/** Whether the key went because the API refused it (rather than the user forgetting it). */
let refused = false;

export const apiKey = {
  get: (): string | null => sessionStorage.getItem(KEY_STORAGE),
  set(key: string): void {
    refused = false;
    sessionStorage.setItem(KEY_STORAGE, key);
    dispatchEvent(new Event(KEY_CHANGED));
  },
  clear(options: { refused?: boolean } = {}): void {
    refused = options.refused ?? false;
    sessionStorage.removeItem(KEY_STORAGE);
    dispatchEvent(new Event(KEY_CHANGED));
  },
  wasRefused: (): boolean => refused,
  onChange(listener: () => void): () => void {
    addEventListener(KEY_CHANGED, listener);
    return () => removeEventListener(KEY_CHANGED, listener);
  },
};

/** An RFC 9457 answer of the API, or a failure to reach it. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

/** The API's URL for a path and query (same origin as the page); empty and undefined values are left out. */
export function apiUrl(path: string, query: Params = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value) search.set(name, value);
  const text = search.toString();
  return text ? `${path}?${text}` : path;
}

async function call(path: string, query: Params, accept: string, signal?: AbortSignal): Promise<Response> {
  const key = apiKey.get();
  const headers: Record<string, string> = { accept };
  if (key) headers.authorization = `Bearer ${key}`;
  let response: Response;
  try {
    response = await fetch(apiUrl(path, query), { headers, ...(signal ? { signal } : {}) });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiProblem(0, 'unreachable', 'The ledger cannot be reached', (error as Error).message);
  }
  if (response.ok) return response;
  const problem = (await response.json().catch(() => ({}))) as {
    code?: string;
    title?: string;
    detail?: string;
  };
  // A refused key is the user's to replace: the page asks for another one.
  if (response.status === 401) apiKey.clear({ refused: true });
  throw new ApiProblem(
    response.status,
    problem.code ?? 'http-error',
    problem.title ?? `The API answered ${response.status}`,
    problem.detail,
  );
}

export async function getJson<T>(path: string, query: Params = {}, signal?: AbortSignal): Promise<T> {
  return (await (await call(path, query, 'application/json', signal)).json()) as T;
}

/** Every item of a list, following `nextCursor` page by page. */
export async function allItems<T>(path: string, query: Params, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await getJson<{ items: T[]; nextCursor: string | null }>(
      path,
      { ...query, limit: '1000', cursor },
      signal,
    );
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

/**
 * A CSV answer saved as a file. A plain link cannot carry the key (it must not go in the URL), so the
 * page fetches it with the key and hands the browser the bytes exactly as the API wrote them.
 */
export async function downloadCsv(path: string, query: Params, fileName: string): Promise<void> {
  const response = await call(path, { ...query, format: 'csv' }, 'text/csv');
  const url = URL.createObjectURL(await response.blob());
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** The head of the log, from the public readiness report (its body names the head even when it is 503). */
export async function headPosition(signal?: AbortSignal): Promise<string | undefined> {
  const response = await fetch('/ready', { ...(signal ? { signal } : {}) });
  const body = (await response.json().catch(() => ({}))) as { headPosition?: string };
  return body.headPosition;
}
