/** A settled promise: its `then` queues a microtask without what Node's `queueMicrotask` adds to each (an async resource, a bound function). */
const resolved = Promise.resolve();

/**
 * Runs `work` on a microtask of its own, as `queueMicrotask` does, at a fraction of its cost on
 * the per-message paths (a queue's drain, a handler's start, a held reply). `work` must not throw. @internal
 */
export function onNextMicrotask(work: () => void): void {
  void resolved.then(work);
}
