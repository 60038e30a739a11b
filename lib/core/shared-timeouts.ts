/**
 * Many one-shot timeouts on `asyncScheduler` through one Node timer: the per-call timers of RPC
 * (a call's timeout, a request's deadline) cost a heap insert and removal each instead of a timer
 * each, which at thousands of calls a second was a tenth of a call's CPU time. The timer is armed
 * at the earliest due time; a timeout cleared before it is due leaves it armed, and when it fires
 * early it is armed again for what is due next. With nothing pending it is unref'd: a process
 * waiting for no call exits as it would with a timer per call.
 *
 * Only for the real clock: under a `TestScheduler`'s run mode (which virtualizes `asyncScheduler`)
 * and with any other scheduler, each timeout is scheduled on its own, so virtual time orders it
 * among the other actions of its frame exactly as before.
 */
import { asyncScheduler, type SchedulerLike, type Unsubscribable } from 'rxjs';
import { takeOut } from './indexed-list.js';

/** A class, so a timeout is one object with its `unsubscribe` on the prototype, not a closure each. */
class Pending implements Unsubscribable {
  /** Its place in the heap; -1 once it ran or was cleared. */
  index = -1;
  constructor(
    readonly due: number,
    /** Insertion order: timeouts due at the same time run in the order they were set, as timers do. */
    readonly seq: number,
    readonly work: () => void,
  ) {}
  unsubscribe(): void {
    remove(this);
  }
}

/** A min-heap of pending timeouts by due time, then insertion order. */
const heap: Pending[] = [];
let seq = 0;
let armed: { readonly due: number; readonly timer: NodeJS.Timeout } | undefined;

/** A virtual clock (run mode) counts frames from 0; the real one reads the epoch. */
const EPOCH_2020 = 1_577_836_800_000;

/**
 * Runs `work` once after `delayMs` on `scheduler`, unless unsubscribed first: shared with every
 * other timeout when `scheduler` is `asyncScheduler` on the real clock, else `scheduler.schedule`. @internal
 */
export function scheduleTimeout(scheduler: SchedulerLike, work: () => void, delayMs: number): Unsubscribable {
  if (scheduler !== asyncScheduler) return scheduler.schedule(work, delayMs);
  const now = asyncScheduler.now();
  if (now < EPOCH_2020) return scheduler.schedule(work, delayMs);
  const pending = new Pending(now + Math.max(0, delayMs), seq++, work);
  heap.push(pending);
  siftUp(heap.length - 1);
  if (!armed || pending.due < armed.due) arm(pending.due, now);
  else if (heap.length === 1) armed.timer.ref();
  return pending;
}

function remove(pending: Pending): void {
  const moved = takeOut(heap, pending);
  if (moved) {
    siftDown(moved.index);
    siftUp(moved.index);
  }
  // Left armed, as the heap fills again at once when calls follow calls; it just stops holding the process.
  if (!heap.length) armed?.timer.unref();
}

function arm(due: number, now: number): void {
  if (armed) clearTimeout(armed.timer);
  armed = { due, timer: setTimeout(fire, due - now) };
}

function fire(): void {
  armed = undefined;
  const now = asyncScheduler.now();
  // What is set while this runs waits for a later turn, as a timer set from a timer's callback does.
  const setBefore = seq;
  try {
    while (heap.length && (heap[0] as Pending).due <= now && (heap[0] as Pending).seq < setBefore) {
      const first = heap[0] as Pending;
      remove(first);
      first.work();
    }
  } finally {
    // Also when a timeout's work threw: the others still run when due.
    if (heap.length && !armed) arm((heap[0] as Pending).due, now);
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

function siftUp(index: number): void {
  const pending = heap[index] as Pending;
  while (index > 0) {
    const parentIndex = (index - 1) >> 1;
    const parent = heap[parentIndex] as Pending;
    if (!before(pending, parent)) break;
    heap[index] = parent;
    parent.index = index;
    index = parentIndex;
  }
  heap[index] = pending;
  pending.index = index;
}

function siftDown(index: number): void {
  const pending = heap[index] as Pending;
  const { length } = heap;
  for (;;) {
    const left = 2 * index + 1;
    if (left >= length) break;
    const right = left + 1;
    const child = right < length && before(heap[right] as Pending, heap[left] as Pending) ? right : left;
    const smaller = heap[child] as Pending;
    if (!before(smaller, pending)) break;
    heap[index] = smaller;
    smaller.index = index;
    index = child;
  }
  heap[index] = pending;
  pending.index = index;
}
