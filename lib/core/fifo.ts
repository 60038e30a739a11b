/** A queue taken from the front by moving `head`: `items[head..]` wait, in arrival order. @internal */
export interface Fifo<T> {
  items: (T | undefined)[];
  head: number;
}

/** How many items wait. @internal */
export function waitingCount(fifo: Fifo<unknown>): number {
  return fifo.items.length - fifo.head;
}

/** Compacting the taken slots pays off once they are many and outnumber the waiting ones. */
const COMPACT_AFTER = 1024;

/**
 * Takes the first waiting item (the caller knows there is one) without an O(n) shift. An emptied
 * queue starts again at 0, and one that never empties drops its taken slots once they are half
 * of it, so it does not only grow. @internal
 */
export function takeFirst<T>(fifo: Fifo<T>): T {
  const item = fifo.items[fifo.head] as T;
  fifo.items[fifo.head++] = undefined;
  if (fifo.head === fifo.items.length) {
    fifo.items.length = 0;
    fifo.head = 0;
  } else if (fifo.head > COMPACT_AFTER && fifo.head * 2 > fifo.items.length) {
    // In place: a fresh array each time was 3 % of a memory:// notification under a steady backlog.
    fifo.items.splice(0, fifo.head);
    fifo.head = 0;
  }
  return item;
}
