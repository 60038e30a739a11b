/** An item that knows its place in the one list it is in; -1 when it is in none. @internal */
export interface Indexed {
  index: number;
}

/**
 * Takes `item` out of `list` in one step: the last item moves into its slot, so the list keeps
 * no order. Returns the item that moved, for a list that keeps an order of its own (a heap) to
 * put it back in place; undefined when none did or `item` was in no list. @internal
 */
export function takeOut<T extends Indexed>(list: T[], item: T): T | undefined {
  const { index } = item;
  if (index < 0) return undefined;
  item.index = -1;
  const last = list.pop() as T;
  if (last === item) return undefined;
  list[index] = last;
  last.index = index;
  return last;
}
