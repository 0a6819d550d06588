/**
 * An immutable singly linked list: prepending shares the whole old list, so folding n events costs O(n)
 * where copying an array or a Set per event would cost O(n²). States stay values: an older state is never
 * changed by evolving a newer one.
 */
export type PersistentList<T> = { readonly head: T; readonly tail: PersistentList<T> } | undefined;

export const prepend = <T>(list: PersistentList<T>, head: T): PersistentList<T> => ({ head, tail: list });

/** The items in the order they were added. */
export function listToArray<T>(list: PersistentList<T>): T[] {
  const items: T[] = [];
  for (let node = list; node; node = node.tail) items.push(node.head);
  return items.reverse();
}
