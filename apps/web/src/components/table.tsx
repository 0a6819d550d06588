import type { ComponentChildren } from 'preact';

/** A column's heading; `number: true` right-aligns it over a column of figures. */
export type Column = string | { label: string; number: true };

/**
 * A table with its caption (what the browser tests and screen readers find it by) and one heading row;
 * the body rows are the children.
 */
export function Table(props: {
  caption: ComponentChildren;
  columns: Column[];
  class?: string;
  children: ComponentChildren;
}) {
  return (
    <table class={props.class}>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((column, index) =>
            typeof column === 'string' ? (
              <th scope="col" key={index}>
                {column}
              </th>
            ) : (
              <th scope="col" class="number" key={index}>
                {column.label}
              </th>
            ),
          )}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

/** A table that scrolls sideways on a narrow screen rather than widening the page. */
export function ScrollingTable(props: Parameters<typeof Table>[0]) {
  return (
    <div class="table-scroll">
      <Table {...props} />
    </div>
  );
}
