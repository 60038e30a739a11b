import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { lastValueFrom, take, toArray, type Observable } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Invocation } from '../../../lib/executors/executor.js';
import { CallCancelled, ExecutorClosed, InvalidOptions, WorkerCrashed } from '../../../lib/core/errors.js';
import { workerPoolExecutor, type WorkerPoolExecutorOptions } from '../../../lib/executors/worker-pool.js';

const module = new URL('../../fixtures/worker-endpoints.js', import.meta.url);
/** Indexes into the fixture's `endpoints`. */
const CALCULATOR = 0;
const LAB = 1;
const context = { request_id: 'req-1' };

function invocation(endpoint: number, method: string, args: Record<string, unknown> = {}): Invocation {
  return { endpoint, method, params: [args, context], context };
}

function local(): never {
  throw new Error('workerPoolExecutor ran a handler on the main thread');
}

/** Runs `body` with a fresh pool, and closes the pool whatever happens. */
async function withPool(options: Partial<WorkerPoolExecutorOptions>, body: (run: (invocation: Invocation) => Observable<unknown>) => Promise<void>) {
  const pool = workerPoolExecutor({ module, ...options });
  try {
    await body((inv) => pool.run(inv, local));
  } finally {
    await pool.close();
  }
}

function all(run$: Observable<unknown>): Promise<unknown[]> {
  return lastValueFrom(run$.pipe(toArray()));
}

function failure(run$: Observable<unknown>): Promise<Error & Record<string, unknown>> {
  return lastValueFrom(run$).then(
    (value) => {
      throw new Error(`expected the run to fail, it emitted ${String(value)}`);
    },
    (error: Error & Record<string, unknown>) => error,
  );
}

/** A flag a handler in a worker watches; `release()` sets it and wakes the handler's waitAsync. */
function sharedFlag() {
  const flag = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  return {
    flag,
    release: () => {
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
    },
  };
}

const WorkerPool = suite('workerPoolExecutor');

WorkerPool('should keep the main thread responsive while a handler busy-loops in another thread', async () => {
  await withPool({ size: 2 }, async (run) => {
    const { flag, release } = sharedFlag();
    const events: string[] = [];
    let ticks = 0;
    let ticksAtSpinStart = 0;
    const interval = setInterval(() => ticks++, 10);
    try {
      let spinning!: () => void;
      const started = new Promise<void>((resolve) => (spinning = resolve));
      const spun = new Promise<void>((resolve, reject) =>
        run(invocation(LAB, 'spin', { flag, minMs: 1_000 })).subscribe({
          next: (value) => {
            events.push(`spin: ${String(value)}`);
            if (value === 'spinning') {
              ticksAtSpinStart = ticks;
              spinning();
            }
          },
          error: reject,
          complete: resolve,
        }),
      );
      await started;
      events.push(`add: ${String(await lastValueFrom(run(invocation(CALCULATOR, 'add', { a: 1, b: 2 }))))}`);
      // The spinner only stops once this thread, free while it spins, tells it to.
      release();
      await spun;
      assert.equal(events, ['spin: spinning', 'add: 3', 'spin: released']);
      assert.ok(ticks - ticksAtSpinStart > 10, `the main thread's interval ticked ${ticks - ticksAtSpinStart} times during the busy loop`);
    } finally {
      clearInterval(interval);
    }
  });
});

WorkerPool('should stream every value of an Observable handler, then complete', async () => {
  await withPool({ size: 1 }, async (run) => {
    assert.equal(await all(run(invocation(CALCULATOR, 'countTo', { n: 3 }))), [1, 2, 3]);
  });
});

WorkerPool('should stream every value of an async iterable handler', async () => {
  await withPool({ size: 1 }, async (run) => {
    assert.equal(await all(run(invocation(CALCULATOR, 'letters', { word: 'abc' }))), ['a', 'b', 'c']);
  });
});

WorkerPool('should emit the resolved value of a Promise handler', async () => {
  await withPool({ size: 1 }, async (run) => {
    assert.equal(await all(run(invocation(CALCULATOR, 'double', { x: 21 }))), [42]);
  });
});

WorkerPool('should emit a plain return value, an array included, as one value', async () => {
  await withPool({ size: 1 }, async (run) => {
    assert.equal(await all(run(invocation(CALCULATOR, 'add', { a: 2, b: 3 }))), [5]);
    assert.equal(await all(run(invocation(CALCULATOR, 'pair'))), [[1, 2]]);
  });
});

WorkerPool('should carry Dates across threads both ways', async () => {
  await withPool({ size: 1 }, async (run) => {
    const [echoed] = await all(run(invocation(CALCULATOR, 'echo', { value: new Date(86_400_000) })));
    assert.instance(echoed, Date);
    assert.is((echoed as Date).getTime(), 86_400_000);
  });
});

WorkerPool('should reject arguments holding a function with a TypeError that explains structured clone', async () => {
  await withPool({ size: 1 }, async (run) => {
    const error = await failure(run(invocation(CALCULATOR, 'echo', { value: () => 1 })));
    assert.instance(error, TypeError);
    assert.match(error.message, /arguments of 'echo' cannot be sent to a worker thread/);
    assert.match(error.message, /structured clone/);
    assert.match(error.message, /functions/);
  });
});

WorkerPool('should fail a handler whose result cannot be sent back with a TypeError', async () => {
  await withPool({ size: 1 }, async (run) => {
    const error = await failure(run(invocation(CALCULATOR, 'makeFunction')));
    assert.instance(error, TypeError);
    assert.match(error.message, /'makeFunction' produced a value that cannot be sent to the main thread/);
  });
});

WorkerPool('should rebuild a thrown error with its name, message, stack, fields and module', async () => {
  await withPool({ size: 1 }, async (run) => {
    const error = await failure(run(invocation(LAB, 'exceedQuota', { quota: 10 })));
    assert.instance(error, Error);
    assert.is(error.name, 'QuotaExceeded');
    assert.is(error.message, 'Quota of 10 exceeded');
    assert.match(error.stack ?? '', /worker-endpoints\.js/);
    assert.is(error['code'], 'E_QUOTA');
    assert.equal(error['kwargs'], { quota: 10 });
    assert.is(error['module'], 'nova.exception');
    assert.equal(Object.keys(error).sort(), ['code', 'kwargs', 'name'], 'the same own enumerable fields as the original');
  });
});

WorkerPool('should rebuild a built-in error class and its cause from a rejected Promise', async () => {
  await withPool({ size: 1 }, async (run) => {
    const error = await failure(run(invocation(LAB, 'rejectWithTypeError')));
    assert.instance(error, TypeError);
    assert.is(error.message, 'not a flavor');
    assert.instance(error.cause, RangeError);
    assert.is((error.cause as Error).message, 'flavor id out of range');
  });
});

WorkerPool('should deliver the values a handler streamed before it failed', async () => {
  await withPool({ size: 1 }, async (run) => {
    const values: unknown[] = [];
    const error = await new Promise<Error>((resolve) => run(invocation(LAB, 'failMidStream')).subscribe({ next: (value) => values.push(value), error: resolve }));
    assert.equal(values, ['first']);
    assert.is(error.name, 'QuotaExceeded');
  });
});

WorkerPool('should fail clearly when the endpoint index or the method does not exist in the module', async () => {
  await withPool({ size: 1 }, async (run) => {
    const noEndpoint = await failure(run(invocation(7, 'add')));
    assert.instance(noEndpoint, RangeError);
    assert.match(noEndpoint.message, /No endpoint at index 7/);
    const noMethod = await failure(run(invocation(CALCULATOR, 'subtract')));
    assert.instance(noMethod, TypeError);
    assert.match(noMethod.message, /no method 'subtract'/);
  });
});

WorkerPool('should fail clearly when the module does not export endpoints', async () => {
  // Any ES module without an `endpoints` export will do.
  const pool = workerPoolExecutor({ size: 1, module: new URL('../../../lib/core/errors.js', import.meta.url) });
  try {
    const error = await failure(pool.run(invocation(CALCULATOR, 'add'), local));
    assert.instance(error, TypeError);
    assert.match(error.message, /must export 'endpoints'/);
  } finally {
    await pool.close();
  }
});

WorkerPool('should give an invocation to an idle worker rather than a busy one', async () => {
  await withPool({ size: 2 }, async (run) => {
    const { flag, release } = sharedFlag();
    const held = lastValueFrom(run(invocation(LAB, 'hold', { flag })));
    const first = await lastValueFrom(run(invocation(LAB, 'whoami')));
    const second = await lastValueFrom(run(invocation(LAB, 'whoami')));
    release();
    const holder = await held;
    assert.is.not(first, holder);
    assert.is(second, first, 'the idle worker is reused');
  });
});

WorkerPool("should unsubscribe the handler's Observable in the worker when the caller unsubscribes", async () => {
  await withPool({ size: 1 }, async (run) => {
    assert.equal(await all(run(invocation(LAB, 'ticker')).pipe(take(3))), [0, 1, 2]);
    assert.is(await lastValueFrom(run(invocation(LAB, 'finalizedTickers'))), 1);
  });
});

WorkerPool("should abort an RPC handler's signal in the worker, with the main thread's reason, when its run is cancelled", async () => {
  await withPool({ size: 1 }, async (run) => {
    const deadline = 1_700_000_000_000;
    assert.is(await lastValueFrom(run({ ...invocation(LAB, 'awaitAbort'), call: { signal: new AbortController().signal, deadline } }).pipe(take(1))), 'waiting');
    assert.equal(await lastValueFrom(run(invocation(LAB, 'lastAbort'))), { name: 'CallCancelled', why: 'cancelled', deadline }, 'an unsubscribed run is cancelled');
    const controller = new AbortController();
    let started!: () => void;
    const waiting = new Promise<void>((resolve) => (started = resolve));
    const running = run({ ...invocation(LAB, 'awaitAbort'), call: { signal: controller.signal, deadline } }).subscribe(() => started());
    await waiting;
    controller.abort(new CallCancelled('stopped'));
    running.unsubscribe();
    assert.equal(await lastValueFrom(run(invocation(LAB, 'lastAbort'))), { name: 'CallCancelled', why: 'stopped', deadline });
  });
});

WorkerPool('should fail the invocation of a worker that exits, and replace the worker', async () => {
  await withPool({ size: 1 }, async (run) => {
    const before = await lastValueFrom(run(invocation(LAB, 'whoami')));
    const error = await failure(run(invocation(LAB, 'exit', { code: 3 })));
    assert.instance(error, WorkerCrashed);
    assert.is(error['exitCode'], 3);
    assert.is(error['threadId'], before);
    assert.match(error.message, /exited with code 3 while running 'exit'/);
    const after = await lastValueFrom(run(invocation(LAB, 'whoami')));
    assert.is.not(after, before);
  });
});

WorkerPool('should fail the invocation of a worker killed by an uncaught error, with that error as cause', async () => {
  await withPool({ size: 1 }, async (run) => {
    const error = await failure(run(invocation(LAB, 'throwUncaught')));
    assert.instance(error, WorkerCrashed);
    assert.match(error.message, /uncaught in the worker/);
    assert.is((error.cause as Error).message, 'uncaught in the worker');
    assert.equal(await all(run(invocation(CALCULATOR, 'add', { a: 1, b: 1 }))), [2]);
  });
});

WorkerPool('should let the other workers finish their invocations when one crashes', async () => {
  await withPool({ size: 2 }, async (run) => {
    const { flag, release } = sharedFlag();
    const held = lastValueFrom(run(invocation(LAB, 'hold', { flag })));
    assert.instance(await failure(run(invocation(LAB, 'exit', { code: 1 }))), WorkerCrashed);
    release();
    assert.type(await held, 'number');
  });
});

WorkerPool('should fail invocations in flight on close(), and every run after it', async () => {
  const pool = workerPoolExecutor({ size: 1, module });
  const { flag } = sharedFlag();
  const held = failure(pool.run(invocation(LAB, 'hold', { flag }), local));
  await pool.close();
  const inFlight = await held;
  assert.instance(inFlight, ExecutorClosed);
  assert.match(inFlight.message, /closed while 'hold' was running/);
  const after = await failure(pool.run(invocation(CALCULATOR, 'add'), local));
  assert.instance(after, ExecutorClosed);
  assert.match(after.message, /is closed: cannot run 'add'/);
  await pool.close();
});

WorkerPool('should keep the process alive while work is in flight, and not once the workers are idle', async () => {
  // The child never closes its pool: it exits only if idle workers are unref'd, and prints only if busy ones are not.
  const script = [
    `import { workerPoolExecutor } from ${JSON.stringify(new URL('../../../lib/executors/worker-pool.js', import.meta.url).href)};`,
    `const pool = workerPoolExecutor({ size: 2, module: new URL(${JSON.stringify(module.href)}) });`,
    `pool.run({ endpoint: ${CALCULATOR}, method: 'double', params: [{ x: 21 }, {}], context: {} }, () => []).subscribe((value) => console.log(JSON.stringify(value)));`,
  ].join('\n');
  const dir = await mkdtemp(join(tmpdir(), 'worker-pool-'));
  try {
    await writeFile(join(dir, 'never-closes.mjs'), script);
    const { stdout } = await promisify(execFile)(process.execPath, [join(dir, 'never-closes.mjs')], { timeout: 30_000 });
    assert.is(stdout.trim(), '42');
  } finally {
    await rm(dir, { recursive: true });
  }
});

WorkerPool('should offer size * inFlightPerWorker as its concurrency', async () => {
  const pools = [workerPoolExecutor({ module }), workerPoolExecutor({ module, size: 3 }), workerPoolExecutor({ module, size: 3, inFlightPerWorker: 4 })];
  assert.equal(
    pools.map((pool) => pool.concurrency),
    [availableParallelism(), 3, 12],
  );
  await Promise.all(pools.map((pool) => pool.close()));
});

WorkerPool('should reject a size or inFlightPerWorker that is not a positive integer', () => {
  for (const size of [0, -1, 1.5, Number.NaN, '2']) {
    assert.throws(
      () => workerPoolExecutor({ module, size: size as number }),
      (error: unknown) => error instanceof InvalidOptions && /option size must be a positive integer/.test(error.message),
    );
  }
  assert.throws(
    () => workerPoolExecutor({ module, inFlightPerWorker: 0 }),
    (error: unknown) => error instanceof InvalidOptions && /option inFlightPerWorker must be a positive integer/.test(error.message),
  );
});

WorkerPool('should reject a module that is not an existing file given by path or file: URL', () => {
  const rejects = (candidate: unknown, pattern: RegExp) =>
    assert.throws(
      () => workerPoolExecutor({ module: candidate as string }),
      (error: unknown) => error instanceof InvalidOptions && error.key === 'module' && pattern.test(error.message),
    );
  rejects(new URL('../../fixtures/missing.js', import.meta.url), /does not exist/);
  rejects(fileURLToPath(new URL('../../fixtures/missing.js', import.meta.url)), /does not exist/);
  rejects(fileURLToPath(new URL('../../fixtures', import.meta.url)), /not a file/);
  rejects(new URL('https://example.com/endpoints.js'), /file: URL/);
  rejects(42, /file path or a file: URL/);
  rejects('', /file path or a file: URL/);
});

WorkerPool('should accept the module as a path', async () => {
  await withPool({ size: 1, module: fileURLToPath(module) }, async (run) => {
    assert.equal(await all(run(invocation(CALCULATOR, 'add', { a: 1, b: 2 }))), [3]);
  });
});

WorkerPool.run();
