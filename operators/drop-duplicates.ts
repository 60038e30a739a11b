import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';

export interface DropDuplicatesConfig<T> {
  /** The id of an item; items without one (empty or undefined) always pass. */
  readonly key: (item: T) => string | undefined;
  /** How many recent ids to remember (oslo remembers 16). */
  readonly size?: number;
  /** Called with each dropped item, e.g. to ack it. */
  readonly onDuplicate?: (item: T) => void;
}

/**
 * Drops an item whose id is among the last `size` ids seen: oslo's `_unique_id` check, which
 * catches a message the broker delivered twice.
 */
export function dropDuplicates<T>({ key, size = 16, onDuplicate }: DropDuplicatesConfig<T>): MonoTypeOperatorFunction<T> {
  if (!Number.isInteger(size) || size < 1) throw new TypeError(`size must be a positive integer, got ${size}`);
  return (source) =>
    defer(() => {
      // Per subscription: each listener remembers its own ids, in a Set for lookups and a ring
      // for their order (cheaper per message than asking the Set for its oldest entry).
      const recent = new Set<string>();
      const ring = new Array<string | undefined>(size);
      let oldest = 0;
      return source.pipe(
      filter((item) => {
        const id = key(item);
        if (!id) return true;
        if (recent.has(id)) {
          onDuplicate?.(item);
          return false;
        }
        const evicted = ring[oldest];
        if (evicted !== undefined) recent.delete(evicted);
        ring[oldest] = id;
        oldest = (oldest + 1) % size;
        recent.add(id);
        return true;
      }),
      );
    });
}
