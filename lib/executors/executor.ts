/**
 * Executors decide where handlers run and how many at once. They are values, never strings:
 * `blockingExecutor` (one at a time, in arrival order), `microtaskExecutor({ concurrency })`
 * (interleaved on the event loop) and `workerPoolExecutor({ size, module })` (worker threads).
 */
import { defer, from, isObservable, Observable, of, type Subscription } from 'rxjs';
import type { Context } from '../core/context.js';
import { checkOptions, integerFrom } from '../core/check-options.js';
import { onNextMicrotask } from '../core/microtask.js';

/** One handler invocation, in a form that can cross to a worker thread. */
export interface Invocation {
  /** Index of the endpoint in the list given to the server or listener. */
  readonly endpoint: number;
  /** The handler's name on that endpoint. */
  readonly method: string;
  /**
   * Positional arguments, e.g. `[args, context]` for an RPC handler. They must survive a
   * structured copy to reach a worker thread (class instances arrive as plain objects).
   */
  readonly params: readonly unknown[];
  readonly context: Context;
  /**
   * Set for an RPC handler, which takes it after `params`. In a worker thread the handler gets a
   * signal of its own, aborted when the run is cancelled (unsubscribed).
   */
  readonly call?: CallSignal;
}

/** What an RPC handler is given after `(args, context)`: cancellation, and how long its caller waits. */
export interface CallSignal {
  /** Aborted when the call is given up: its reason is a `CallCancelled`. */
  readonly signal: AbortSignal;
  /** When the caller stops waiting, in ms since the epoch; undefined for casts and when unknown. */
  readonly deadline: number | undefined;
}

/** Where handlers run and how many at once; a server or listener takes one as its `executor` option. */
export interface Executor {
  /** How many invocations may be in flight at once (the concurrency of the dispatcher's merge). */
  readonly concurrency: number;
  /** Runs one invocation; `local` runs it in this thread. Emits what the handler produces. */
  run(invocation: Invocation, local: () => Observable<unknown>): Observable<unknown>;
  /** Releases what the executor holds (worker threads). */
  close(): Promise<void>;
}

/**
 * One handler at a time, in arrival order, on the calling thread.
 *
 * @example
 * ```ts
 * rpcServer(transport, target({ topic: 'ledger', server: 'host-1' }), [ledger], { executor: blockingExecutor() });
 * ```
 */
export function blockingExecutor(...given: readonly never[]): Executor {
  // JavaScript callers may pass options a TypeScript one cannot: it takes none.
  if (given.length) checkOptions('blockingExecutor', given[0], {});
  return { concurrency: 1, run: (_invocation, local) => defer(local), close: async () => {} };
}

/** Options of `microtaskExecutor`. */
export interface MicrotaskExecutorOptions {
  /** At most this many handlers in flight (default 64, oslo's `executor_thread_pool_size`). */
  readonly concurrency?: number;
}

const MICROTASK_OPTIONS = { concurrency: integerFrom(1) } satisfies Record<keyof MicrotaskExecutorOptions, unknown>;

/**
 * Handlers interleaved on the event loop, each started on its own microtask, at most
 * `concurrency` at once (default 64): the servers' and listeners' default executor.
 *
 * @example
 * ```ts
 * rpcServer(transport, target({ topic: 'compute', server: 'host-1' }), [compute], { executor: microtaskExecutor({ concurrency: 8 }) });
 * ```
 */
export function microtaskExecutor(options: MicrotaskExecutorOptions = {}): Executor {
  checkOptions('microtaskExecutor', options, MICROTASK_OPTIONS);
  const { concurrency = 64 } = options;
  return { concurrency, run: (_invocation, local) => onMicrotask(local), close: async () => {} };
}

/** Subscribes to `local()` on a microtask of its own, so a handler never runs inside the delivery that brought it. */
function onMicrotask<T>(local: () => Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let inner: Subscription | undefined;
    let cancelled = false;
    onNextMicrotask(() => {
      if (cancelled) return;
      let source: Observable<T>;
      try {
        source = local();
      } catch (error) {
        return subscriber.error(error);
      }
      inner = source.subscribe(subscriber);
    });
    return () => {
      cancelled = true;
      inner?.unsubscribe();
    };
  });
}

/** A handler's return value as a stream: an Observable or async iterable as is, a Promise's value, else the value itself. @internal */
export function handlerResult(value: unknown): Observable<unknown> {
  if (isObservable(value)) return value;
  if (isPromiseLike(value) || isAsyncIterable(value)) return from(value);
  return of(value);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value != null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}
