import { lastValueFrom, mergeMap, Observable, of, range, Subject, throwError, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { boundedMergeMap } from '../../operators/bounded-merge-map.js';

const BoundedMergeMap = suite('boundedMergeMap');

/** What an operator of mergeMap's kind does with six values whose inners the script drives: each start, value and end, in order. */
const script = (operator: typeof mergeMap, concurrency: number): string[] => {
  const log: string[] = [];
  const inners = Array.from({ length: 6 }, () => new Subject<number>());
  const source = new Subject<number>();
  source
    .pipe(
      operator((n: number) => {
        log.push(`start ${n}`);
        return inners[n] as Subject<number>;
      }, concurrency),
    )
    .subscribe({ next: (value) => log.push(`value ${value}`), complete: () => log.push('complete') });
  for (const n of [0, 1, 2]) source.next(n);
  for (const n of [2, 0]) {
    inners[n]?.next(n * 10);
    inners[n]?.complete();
  }
  for (const n of [3, 4, 5]) source.next(n);
  source.complete();
  for (const n of [1, 5, 3, 4]) {
    inners[n]?.next(n * 10);
    inners[n]?.complete();
  }
  return log;
};

BoundedMergeMap('should start, emit and end as mergeMap does, at any concurrency', () => {
  for (const concurrency of [1, 2, 3, Number.POSITIVE_INFINITY]) {
    assert.equal(script(boundedMergeMap as typeof mergeMap, concurrency), script(mergeMap, concurrency), `concurrency ${concurrency}`);
  }
});

BoundedMergeMap('should run at most concurrency inners at once and start waiting values in arrival order', async () => {
  const inners = [new Subject<number>(), new Subject<number>(), new Subject<number>(), new Subject<number>()];
  const started: number[] = [];
  const source = new Subject<number>();
  const seen: number[] = [];
  let completed = false;
  source
    .pipe(
      boundedMergeMap((n) => {
        started.push(n);
        return inners[n] as Subject<number>;
      }, 2),
    )
    .subscribe({ next: (value) => seen.push(value), complete: () => (completed = true) });
  for (const n of [0, 1, 2, 3]) source.next(n);
  source.complete();
  assert.equal(started, [0, 1]);
  inners[1]?.next(11);
  inners[1]?.complete();
  assert.equal(started, [0, 1, 2]);
  inners[0]?.complete();
  inners[2]?.complete();
  assert.equal(started, [0, 1, 2, 3]);
  assert.not.ok(completed, 'an inner still runs');
  inners[3]?.next(33);
  inners[3]?.complete();
  assert.equal(seen, [11, 33]);
  assert.ok(completed);
});

BoundedMergeMap('should start a long queue of inners that end at once without deepening the stack', async () => {
  const first = new Subject<number>();
  const done = lastValueFrom(
    range(0, 200_000).pipe(
      boundedMergeMap((n) => (n === 0 ? first : of(n)), 1),
      toArray(),
    ),
  );
  first.complete();
  const values = await done;
  // In arrival order, through the compactions of the waiting queue.
  assert.is(values.length, 199_999);
  assert.ok(values.every((value, i) => value === i + 1));
});

/** An inner that never ends by itself, counting in `torn` when it is unsubscribed. */
const endless = (torn: { count: number }) => new Observable<number>(() => () => torn.count++);

BoundedMergeMap('should fail with the first error of an inner and unsubscribe the others and the source', async () => {
  const torn = { count: 0 };
  const source = new Subject<number>();
  const failure = new Error('boom');
  const result = lastValueFrom(source.pipe(boundedMergeMap((n) => (n === 2 ? throwError(() => failure) : endless(torn)), 3))).catch((error: unknown) => error);
  source.next(0);
  source.next(1);
  source.next(2);
  assert.is(await result, failure);
  assert.is(torn.count, 2);
  assert.not.ok(source.observed, 'the source is unsubscribed');
});

BoundedMergeMap('should fail when project throws', async () => {
  const error = await lastValueFrom(
    of(1).pipe(
      boundedMergeMap(() => {
        throw new TypeError('bad');
      }, 1),
    ),
  ).catch((e: unknown) => e);
  assert.instance(error, TypeError);
});

BoundedMergeMap('should unsubscribe running inners and drop waiting values when unsubscribed', () => {
  const torn = { count: 0 };
  let started = 0;
  const subscription = range(0, 10)
    .pipe(
      boundedMergeMap(() => {
        started++;
        return endless(torn);
      }, 3),
    )
    .subscribe();
  subscription.unsubscribe();
  assert.is(started, 3);
  assert.is(torn.count, 3);
});

BoundedMergeMap.run();
