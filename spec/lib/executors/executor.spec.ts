import { from, lastValueFrom, mergeMap, of, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { blockingExecutor, handlerResult, microtaskExecutor, type Executor, type Invocation } from '../../../lib/executors/executor.js';
import { InvalidOptions } from '../../../lib/core/errors.js';

function invocation(method: string): Invocation {
  return { endpoint: 0, method, params: [{}, {}], context: {} };
}

/** Runs `names` through `executor` as a dispatcher does, recording when each handler starts and ends. */
async function dispatch(executor: Executor, names: readonly string[]) {
  const events: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const handler = (name: string) => async () => {
    events.push(`start ${name}`);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    // A macrotask: any handler the executor lets run meanwhile starts before this one ends.
    await new Promise(setImmediate);
    inFlight--;
    events.push(`end ${name}`);
    return name;
  };
  const results = await lastValueFrom(
    from(names).pipe(
      mergeMap((name) => executor.run(invocation(name), () => from(handler(name)())), executor.concurrency),
      toArray(),
    ),
  );
  return { events, maxInFlight, results };
}

const Blocking = suite('blockingExecutor');

Blocking('should have a concurrency of 1', () => {
  assert.is(blockingExecutor().concurrency, 1);
});

Blocking('should run one handler at a time, each starting after the previous one ended', async () => {
  const { events, results } = await dispatch(blockingExecutor(), ['a', 'b', 'c']);
  assert.equal(events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  assert.equal(results, ['a', 'b', 'c']);
});

Blocking('should not call the handler before the run is subscribed', async () => {
  let calls = 0;
  const run$ = blockingExecutor().run(invocation('get'), () => of(++calls));
  assert.is(calls, 0);
  assert.is(await lastValueFrom(run$), 1);
});

Blocking('should deliver a handler that throws as an error of the run', async () => {
  const run$ = blockingExecutor().run(invocation('fail'), () => {
    throw new RangeError('bad id');
  });
  const error = await lastValueFrom(run$).catch((e: unknown) => e);
  assert.instance(error, RangeError);
  assert.is((error as Error).message, 'bad id');
});

Blocking.run();

// ---

const Microtask = suite('microtaskExecutor');

Microtask('should default to a concurrency of 64, as oslo does', () => {
  assert.is(microtaskExecutor().concurrency, 64);
  assert.is(microtaskExecutor({ concurrency: 3 }).concurrency, 3);
});

Microtask('should interleave handlers with at most concurrency of them in flight', async () => {
  const { events, maxInFlight, results } = await dispatch(microtaskExecutor({ concurrency: 2 }), ['a', 'b', 'c', 'd', 'e']);
  assert.is(maxInFlight, 2);
  assert.equal(events.slice(0, 2), ['start a', 'start b']);
  assert.ok(events.indexOf('start c') > events.indexOf('end a'), 'c waits for a free slot');
  assert.equal([...results].sort(), ['a', 'b', 'c', 'd', 'e']);
});

Microtask('should start a handler on a microtask, not during subscribe', async () => {
  let started = false;
  const done = lastValueFrom(
    microtaskExecutor().run(invocation('get'), () => {
      started = true;
      return of('ok');
    }),
  );
  assert.not.ok(started);
  await new Promise(setImmediate);
  assert.ok(started);
  assert.is(await done, 'ok');
});

Microtask('should deliver a handler that throws as an error of the run', async () => {
  const run$ = microtaskExecutor().run(invocation('fail'), () => {
    throw new RangeError('bad id');
  });
  const error = await lastValueFrom(run$).catch((e: unknown) => e);
  assert.instance(error, RangeError);
});

Microtask('should reject a concurrency that is not a positive integer', () => {
  for (const concurrency of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => microtaskExecutor({ concurrency }),
      (error: unknown) => error instanceof InvalidOptions && /microtaskExecutor\(\): option concurrency must be a positive integer/.test(error.message),
    );
  }
});

Microtask.run();

// ---

const HandlerResult = suite('handlerResult');

HandlerResult('should stream an Observable and an async iterable, value by value', async () => {
  async function* letters() {
    yield 'a';
    yield 'b';
  }
  assert.equal(await lastValueFrom(handlerResult(of(1, 2)).pipe(toArray())), [1, 2]);
  assert.equal(await lastValueFrom(handlerResult(letters()).pipe(toArray())), ['a', 'b']);
});

HandlerResult("should emit a Promise's value once", async () => {
  assert.equal(await lastValueFrom(handlerResult(Promise.resolve([1, 2])).pipe(toArray())), [[1, 2]]);
});

HandlerResult('should emit any other value, arrays and strings included, as one value', async () => {
  assert.equal(await lastValueFrom(handlerResult([1, 2]).pipe(toArray())), [[1, 2]]);
  assert.equal(await lastValueFrom(handlerResult('ab').pipe(toArray())), ['ab']);
  assert.equal(await lastValueFrom(handlerResult(undefined).pipe(toArray())), [undefined]);
});

HandlerResult.run();
