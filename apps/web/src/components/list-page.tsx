import type { ComponentChildren } from 'preact';
import { allItems } from '../api';
import { useLoad } from '../load';
import type { Params } from '../router';
import { useTitle } from '../title';
import { CsvLink } from './csv-link';
import { Show } from './status';

/**
 * A page listing one of the API's collections: every page of it that `query` (the URL's times and
 * filters) selects, with a CSV link to exactly what is listed. `children` shows the items; an empty list
 * shows `none` instead.
 */
export function ListPage<T>(props: {
  title: string;
  /** the collection's API path, such as /projects */
  path: string;
  query: Params;
  lede: string;
  csvFileName: string;
  filters: ComponentChildren;
  /** what is loading, for "Loading …" */
  what: string;
  none: string;
  children: (items: T[]) => ComponentChildren;
}) {
  const { path, query } = props;
  useTitle(props.title);
  const loaded = useLoad(`${path}?${JSON.stringify(query)}`, (signal) => allItems<T>(path, query, signal));
  return (
    <section aria-labelledby="page-heading">
      <h1 id="page-heading" tabIndex={-1}>
        {props.title}
      </h1>
      <p class="lede">
        {props.lede} <CsvLink path={path} query={query} fileName={props.csvFileName} label="CSV" />
      </p>
      {props.filters}
      <Show loaded={loaded} what={props.what}>
        {(items) => (items.length === 0 ? <p>{props.none}</p> : props.children(items))}
      </Show>
    </section>
  );
}
