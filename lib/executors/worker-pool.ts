/**
 * `workerPoolExecutor`: handlers run in `worker_threads`, so a CPU-bound handler never starves
 * the main thread's event loop (heartbeats, acks, other replies).
 *
 * Each worker imports `module`, which exports `endpoints`: the same array the server or listener
 * is given, so the dispatcher's endpoint index means the same object on both sides. Arguments
 * and results cross by structured clone.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Observable, type Subscriber } from 'rxjs';
import { CallCancelled, ExecutorClosed, WorkerCrashed } from '../core/errors.js';
import { anything, checkOption, checkOptions, integerFrom, type OptionCheck } from '../core/check-options.js';
import type { Executor, Invocation } from './executor.js';
import type { FromWorker, SerializedError, ToWorker, WorkerData } from './worker-pool-thread.js';

/** Options of `workerPoolExecutor`. */
export interface WorkerPoolExecutorOptions {
  /**
   * The ES module the workers import, as a path (relative to the current directory) or a
   * file: URL. It must export `endpoints` and should have no side effects beyond defining them:
   * every worker imports it.
   */
  readonly module: string | URL;
  /** Number of worker threads (default `os.availableParallelism()`). Started on demand, restarted after a crash. */
  readonly size?: number;
  /**
   * Invocations in flight per worker (default 1). With 1, an invocation never waits behind a busy
   * loop in one worker while another is free: extra work waits in the dispatcher's queue and goes
   * to whichever worker frees first. Raise it for handlers that mostly await I/O: those interleave
   * on the worker's own event loop.
   */
  readonly inFlightPerWorker?: number;
}

interface Task {
  readonly method: string;
  /** Undefined once the caller unsubscribed: the task stays counted until the worker confirms it stopped. */
  subscriber: Subscriber<unknown> | undefined;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly threadId: number;
  readonly tasks: Map<number, Task>;
}

// `module` is checked where it is resolved, with the reasons a path or URL can be wrong.
// module is checked on its own: it is required.
const WORKER_POOL_OPTIONS = { module: anything, size: integerFrom(1), inFlightPerWorker: integerFrom(1) } satisfies Record<keyof WorkerPoolExecutorOptions, unknown>;

/**
 * Runs each invocation in one of `size` worker threads, on the least busy one. The handler may
 * return a value, a Promise, an Observable or an async iterable; what it produces streams back.
 * Unsubscribing cancels: the handler's Observable is unsubscribed in the worker, and an RPC
 * handler's `signal` aborts there. A synchronous handler cannot be interrupted, and a Promise's
 * work goes on (though its result is dropped) unless it heeds its signal.
 *
 * Idle workers do not keep the process alive; workers with work in flight do. `concurrency` is
 * `size * inFlightPerWorker`. `close()` terminates the workers and fails work in flight.
 *
 * @example
 * // endpoints.ts: export const endpoints = [new ImageEndpoint()];
 * const executor = workerPoolExecutor({ size: 4, module: new URL('../endpoints.js', import.meta.url) });
 * rpcServer(transport, { topic: 'images', server: 'host-1' }, endpoints, { executor });
 */
export function workerPoolExecutor(options: WorkerPoolExecutorOptions): Executor {
  checkOptions('workerPoolExecutor', options, WORKER_POOL_OPTIONS);
  checkOption('workerPoolExecutor', 'module', options?.module, isModuleFile, true);
  const { size = availableParallelism(), inFlightPerWorker = 1 } = options;
  const moduleUrl = moduleUrlOf(options.module) as URL;
  const entry = new URL('./worker-pool-thread.js', import.meta.url);
  const workers = new Set<PoolWorker>();
  let nextId = 0;
  let closing: Promise<void> | undefined;

  function leastBusy(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const candidate of workers) if (!best || candidate.tasks.size < best.tasks.size) best = candidate;
    // A warm idle worker beats starting one; a busy one does not, while the pool has room.
    return best && (best.tasks.size === 0 || workers.size === size) ? best : spawn();
  }

  function spawn(): PoolWorker {
    const workerData: WorkerData = { module: moduleUrl.href };
    const worker = new Worker(entry, { workerData, name: 'rx-messaging workerPoolExecutor' });
    // Read now: once the thread has exited, `worker.threadId` is -1.
    const { threadId } = worker;
    const pooled: PoolWorker = { worker, threadId, tasks: new Map() };
    let crash: Error | undefined;
    worker.on('message', (message: FromWorker) => settle(pooled, message));
    // 'error' comes first and says why; 'exit' always follows once the thread is gone.
    worker.on('error', (error) => {
      crash = error;
      workers.delete(pooled);
    });
    worker.on('exit', (exitCode) => {
      workers.delete(pooled);
      for (const [id, task] of pooled.tasks) {
        pooled.tasks.delete(id);
        task.subscriber?.error(new WorkerCrashed(task.method, threadId, exitCode, { cause: crash }));
      }
    });
    // After the 'message' listener: adding one refs the worker's port again.
    worker.unref();
    workers.add(pooled);
    return pooled;
  }

  function settle(pooled: PoolWorker, message: FromWorker): void {
    const task = pooled.tasks.get(message.id);
    if (!task) return;
    if (message.type === 'next') {
      task.subscriber?.next(message.value);
      return;
    }
    // Free the slot before telling the subscriber: its reaction may be to run the next invocation.
    untrack(pooled, message.id);
    if (message.type === 'complete') task.subscriber?.complete();
    else if (message.type === 'error') task.subscriber?.error(rebuildError(message.error));
  }

  function track(pooled: PoolWorker, id: number, task: Task): void {
    pooled.tasks.set(id, task);
    if (pooled.tasks.size === 1) pooled.worker.ref();
  }

  function untrack(pooled: PoolWorker, id: number): void {
    pooled.tasks.delete(id);
    if (pooled.tasks.size === 0) pooled.worker.unref();
  }

  function run({ endpoint, method, params, call }: Invocation): Observable<unknown> {
    return new Observable((subscriber) => {
      if (closing) {
        subscriber.error(new ExecutorClosed(`workerPoolExecutor is closed: cannot run '${method}'`));
        return undefined;
      }
      const id = nextId++;
      const pooled = leastBusy();
      try {
        // The signal cannot cross threads: the worker makes one of its own, aborted by the 'cancel' below.
        pooled.worker.postMessage(
          (call ? { type: 'run', id, endpoint, method, params, call: { deadline: call.deadline } } : { type: 'run', id, endpoint, method, params }) satisfies ToWorker,
        );
      } catch (cause) {
        subscriber.error(
          new TypeError(
            `The arguments of '${method}' cannot be sent to a worker thread (${cause instanceof Error ? cause.message : String(cause)}). ` +
              'They cross by structured clone: plain data, Dates, Maps, Sets, typed arrays and errors do; functions and symbols cannot, and class instances arrive as plain objects.',
            { cause },
          ),
        );
        return undefined;
      }
      track(pooled, id, { method, subscriber });
      return () => {
        const task = pooled.tasks.get(id);
        if (!task?.subscriber) return;
        task.subscriber = undefined;
        const reason: unknown = call?.signal.reason;
        pooled.worker.postMessage((reason instanceof CallCancelled ? { type: 'cancel', id, why: reason.why } : { type: 'cancel', id }) satisfies ToWorker);
      };
    });
  }

  function close(): Promise<void> {
    closing ??= Promise.all(
      [...workers].map((pooled) => {
        workers.delete(pooled);
        for (const [id, task] of pooled.tasks) {
          pooled.tasks.delete(id);
          task.subscriber?.error(new ExecutorClosed(`workerPoolExecutor was closed while '${task.method}' was running in worker thread ${pooled.threadId}`));
        }
        return pooled.worker.terminate();
      }),
    ).then(() => undefined);
    return closing;
  }

  return { concurrency: size * inFlightPerWorker, run, close };
}

/** The file: URL `module` names, or undefined when it names none. */
function moduleUrlOf(module: unknown): URL | undefined {
  if (module instanceof URL) return module.protocol === 'file:' ? module : undefined;
  if (typeof module !== 'string' || module === '') return undefined;
  if (!module.startsWith('file:')) return pathToFileURL(resolve(module));
  try {
    return new URL(module);
  } catch {
    return undefined;
  }
}

const isModuleFile: OptionCheck = (module) => {
  const url = moduleUrlOf(module);
  if (!url) return "a file path or a file: URL of an ES module exporting 'endpoints'";
  const path = fileURLToPath(url);
  return statSync(path, { throwIfNoEntry: false })?.isFile() ? undefined : `an existing file: ${path} does not exist or is not a file`;
};

/** The JavaScript error classes rebuilt as themselves, so `instanceof TypeError` holds across threads. */
const BUILTIN_ERRORS: ReadonlyMap<string, ErrorConstructor> = new Map(
  [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError].map((cls) => [cls.name, cls]),
);

/**
 * What a handler's error of a user-defined class becomes: its name is kept, and its constructor
 * is not `Error`, so the failure format does not mistake it for a built-in one.
 */
class WorkerThreadError extends Error {}

/** The worker's error as an Error of this thread, with its name, message, stack, fields and cause. */
function rebuildError(serialized: SerializedError): Error {
  const ErrorClass = (serialized.builtin && BUILTIN_ERRORS.get(serialized.builtin)) || WorkerThreadError;
  const error = new ErrorClass(serialized.message, serialized.cause ? { cause: rebuildError(serialized.cause) } : undefined);
  // A class that sets `this.name` has it as an own enumerable field: then `fields` brings it as such.
  if (!Object.hasOwn(serialized.fields, 'name')) Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
  if (serialized.stack !== undefined) Object.defineProperty(error, 'stack', { value: serialized.stack, writable: true, configurable: true });
  // toFailure() reads `module` to fill in oslo's failure; it is not one of the error's fields.
  if (serialized.module !== undefined) Object.defineProperty(error, 'module', { value: serialized.module, writable: true, configurable: true });
  return Object.assign(error, serialized.fields);
}
