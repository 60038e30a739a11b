import { defer, filter, type MonoTypeOperatorFunction } from 'rxjs';
import { checkOption, integerFrom } from '../lib/core/check-options.js';

/** Options of `dropDuplicates`. */
export interface DropDuplicatesConfig<T> {
  /** The id of an item; items without one (empty or undefined) always pass. */
  readonly key: (item: T) => string | undefined;
  /** How many recent ids to remember (oslo remembers 16). */
  readonly size?: number;
  /** Called with each dropped item, e.g. to ack it. */
  readonly onDuplicate?: (item: T) => void;
}

/**
 * The last `size` `_unique_id`s seen: the window RPC requests and notifications are checked
 * against. Ids that are empty or undefined are never remembered nor seen. @internal
 */
export interface SeenIds {
  has(id: string | undefined): boolean;
  /** Remembers `id`, forgetting the oldest beyond the window, and says whether it was new; an id already there keeps its place. */
  add(id: string | undefined): boolean;
}

/**
 * Drops an item whose id is among the last `size` ids seen: oslo's `_unique_id` check, which
 * catches a message the broker delivered twice. An id is remembered as its item passes, as fits
 * RPC requests, which are acked on receipt.
 *
 * @example
 * ```ts
 * transport.listen(host1).pipe(dropDuplicates({ key: (call) => call.uniqueId, onDuplicate: (call) => void call.ack() }))
 * ```
 */
export function dropDuplicates<T>({ key, size = 16, onDuplicate }: DropDuplicatesConfig<T>): MonoTypeOperatorFunction<T> {
  checkOption('dropDuplicates', 'size', size, integerFrom(1));
  return (source) =>
    defer(() => {
      // Per subscription: each listener remembers its own ids.
      const seen = seenIds(size);
      return source.pipe(
        filter((item) => {
          const id = key(item);
          if (!id || seen.add(id)) return true;
          onDuplicate?.(item);
          return false;
        }),
      );
    });
}

/** Windows up to this size are scanned: a dictionary must internalize each fresh id before it looks it up, which costs more than comparing this many. */
const SCANNED_WINDOW = 32;

/** A window of the last `size` ids (default 16): dropDuplicates remembers an id as it passes, the notification dispatchers once its message is acked. @internal */
export function seenIds(size = 16): SeenIds {
  checkOption('seenIds', 'size', size, integerFrom(1));
  // A ring for their order, and above SCANNED_WINDOW a dictionary for lookups. Not a Set: one that
  // keeps adding and deleting re-tables itself, and each old table links the new one, which keeps
  // young objects alive through scavenges (promoted by the thousand at thousands of messages a second).
  const ring = new Array<string>(size).fill('');
  const recent: Record<string, true> | undefined = size > SCANNED_WINDOW ? Object.create(null) : undefined;
  let oldest = 0;
  /** Compared by length and last character first: ids made by one process share their start (`hexId`'s prefix), and `===` compares from there. */
  const scan = (id: string) => {
    const last = id.length - 1;
    const end = id.charCodeAt(last);
    for (const seen of ring) if (seen.length === id.length && seen.charCodeAt(last) === end && seen === id) return true;
    return false;
  };
  const has = (id: string | undefined) => !!id && (recent ? id in recent : scan(id));
  return {
    has,
    add(id) {
      if (!id || has(id)) return false;
      if (recent) {
        const evicted = ring[oldest]!;
        if (evicted) delete recent[evicted];
        recent[id] = true;
      }
      ring[oldest] = id;
      oldest = (oldest + 1) % size;
      return true;
    },
  };
}
