import { Observable, type OperatorFunction, type Subscription } from 'rxjs';

/**
 * rxjs's `mergeMap(project, concurrency)` for the dispatchers, whose inners run by the dozen on
 * every message. Written here because rxjs's outer subscriber keeps each running inner in an
 * array and removes it by `indexOf` and `splice` as it ends, a cost that grows with the number
 * running (2-3 % of a memory:// call or notification at 50 to 64 in flight); here they sit in a Set.
 * Values arriving while `concurrency` inners run wait in arrival order, as with `mergeMap`;
 * what bounds them is the source (a transport's prefetch). @internal
 */
export function boundedMergeMap<T, R>(project: (value: T) => Observable<R>, concurrency: number): OperatorFunction<T, R> {
  return (source) =>
    new Observable<R>((subscriber) => {
      const running = new Set<Subscription>();
      let active = 0;
      const waiting: T[] = [];
      let next = 0;
      let sourceDone = false;
      let draining = false;
      const completeIfDone = () => {
        if (sourceDone && active === 0 && next === waiting.length) subscriber.complete();
      };
      // A loop rather than recursion: inners that end as they start must not deepen the stack.
      const drain = () => {
        if (draining) return;
        draining = true;
        while (active < concurrency && next < waiting.length && !subscriber.closed) {
          const value = waiting[next] as T;
          waiting[next++] = undefined as T;
          if (next === waiting.length) waiting.length = next = 0;
          start(value);
        }
        draining = false;
        completeIfDone();
      };
      const start = (value: T) => {
        active++;
        let inner: Subscription | undefined;
        let ended = false;
        const end = () => {
          ended = true;
          active--;
          if (inner) running.delete(inner);
          drain();
        };
        let results: Observable<R>;
        try {
          results = project(value);
        } catch (error) {
          subscriber.error(error);
          return;
        }
        inner = results.subscribe({ next: (result) => subscriber.next(result), error: (error: unknown) => subscriber.error(error), complete: end });
        if (!ended) running.add(inner);
      };
      const upstream = source.subscribe({
        next: (value) => {
          if (subscriber.closed) return;
          if (active < concurrency && !draining) start(value);
          else waiting.push(value);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          completeIfDone();
        },
      });
      return () => {
        upstream.unsubscribe();
        for (const inner of running) inner.unsubscribe();
        running.clear();
        waiting.length = next = 0;
      };
    });
}
