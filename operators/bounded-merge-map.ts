import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import { type Fifo, takeFirst, waitingCount } from '../lib/core/fifo.js';
import { type Indexed, takeOut } from '../lib/core/indexed-list.js';

/**
 * rxjs's `mergeMap(project, concurrency)` for the dispatchers, whose inners run by the dozen on
 * every message. Written here because rxjs's outer subscriber keeps each running inner in an
 * array and removes it by `indexOf` and `splice` as it ends, a cost that grows with the number
 * running (2-3 % of a memory:// call or notification at 50 to 64 in flight); here each knows its
 * place and leaves it in one step. Not a Set: one that keeps adding and deleting re-tables itself,
 * and each old table links the next, which kept young objects alive into old space.
 * Values arriving while `concurrency` inners run wait in arrival order, as with `mergeMap`;
 * what bounds them is the source (a transport's prefetch). @internal
 */
export function boundedMergeMap<T, R>(project: (value: T) => Observable<R>, concurrency: number): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const running: Running[] = [];
      let active = 0;
      const waiting: Fifo<T> = { items: [], head: 0 };
      let sourceDone = false;
      let draining = false;
      const completeIfDone = () => {
        if (sourceDone && active === 0 && waitingCount(waiting) === 0) subscriber.complete();
      };
      // A loop rather than recursion: inners that end as they start must not deepen the stack.
      const drain = () => {
        if (draining) return;
        draining = true;
        while (active < concurrency && waitingCount(waiting) > 0 && !subscriber.closed) start(takeFirst(waiting));
        draining = false;
        completeIfDone();
      };
      const start = (value: T) => {
        active++;
        const place: Running = { inner: undefined, index: -1 };
        const end = () => {
          active--;
          takeOut(running, place);
          drain();
        };
        let results: Observable<R>;
        try {
          results = project(value);
        } catch (error) {
          subscriber.error(error);
          return;
        }
        const inner = results.subscribe({ next: (result) => subscriber.next(result), error: (error: unknown) => subscriber.error(error), complete: end });
        // One that ended as it started has nothing left to unsubscribe.
        if (!inner.closed) {
          place.inner = inner;
          place.index = running.push(place) - 1;
        }
      };
      const upstream = source.subscribe({
        next: (value) => {
          if (subscriber.closed) return;
          if (active < concurrency && !draining) start(value);
          else waiting.items.push(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          completeIfDone();
        },
      });
      return () => {
        upstream.unsubscribe();
        for (const { inner } of running.splice(0)) inner?.unsubscribe();
        waiting.items.length = waiting.head = 0;
      };
    });
}

/** A running inner and its place in the list of those running. */
interface Running extends Indexed {
  inner: Subscription | undefined;
}
