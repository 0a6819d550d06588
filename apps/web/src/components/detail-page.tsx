import type { ComponentChildren } from 'preact';
import { getJson } from '../api';
import { useLoad } from '../load';
import { hrefOf, type Route, timesOf } from '../router';
import { useTitle } from '../title';
import { Show } from './status';

/**
 * A page about one item of a collection, at the URL's times: a breadcrumb back to the list, the item's
 * name as heading and title (its id until it has loaded), and what `children` shows of it once loaded.
 * `after`: sections that load on their own, shown whether the item has loaded or not.
 */
export function DetailPage<T extends { name: string }>(props: {
  route: Route;
  /** the collection's path segment, in the app as in the API: projects, stockpiles */
  collection: string;
  collectionTitle: string;
  id: string;
  /** what is loading, for "Loading …" */
  what: string;
  children: (item: T) => ComponentChildren;
  after?: ComponentChildren;
}) {
  const { collection, id } = props;
  const times = timesOf(props.route.params);
  const path = `/${collection}/${encodeURIComponent(id)}`;
  const loaded = useLoad(`${path}?${JSON.stringify(times)}`, (signal) => getJson<T>(path, times, signal));
  const name = loaded.state === 'loaded' ? loaded.data.name : id;
  useTitle(name);
  return (
    <section aria-labelledby="page-heading">
      <p class="breadcrumb">
        <a href={hrefOf([collection], times)}>{props.collectionTitle}</a> › {id}
      </p>
      <h1 id="page-heading" tabIndex={-1}>
        {name}
      </h1>
      <Show loaded={loaded} what={props.what}>
        {props.children}
      </Show>
      {props.after}
    </section>
  );
}
