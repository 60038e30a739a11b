/**
 * The worker side of `workerPoolExecutor`: the entry script of each worker thread, and the
 * messages it exchanges with the pool. It imports the endpoints module once, runs each
 * invocation as an Observable, streams what the handler produces back, and unsubscribes the
 * handler when the main thread cancels.
 *
 * Only the main thread's `import type` of this file is allowed: importing it for real outside a
 * worker throws.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { inspect } from 'node:util';
import { defer, from, mergeMap, type Subscription } from 'rxjs';
import { CallCancelled } from '../core/errors.js';
import { handlerResult, type CallSignal } from './executor.js';

/** What the pool gives each worker. @internal */
export interface WorkerData {
  /** file: URL of the ES module that exports `endpoints`. */
  readonly module: string;
}

/** Main thread to worker. @internal */
export type ToWorker =
  /** `call` is set for an RPC handler: it gets `{ signal, deadline }` after `params`. */
  | {
      readonly type: 'run';
      readonly id: number;
      readonly endpoint: number;
      readonly method: string;
      readonly params: readonly unknown[];
      readonly call?: { readonly deadline: number | undefined };
    }
  /** `why` is the main thread's reason, when it was a `CallCancelled`. */
  | { readonly type: 'cancel'; readonly id: number; readonly why?: CallCancelled['why'] };

/** Worker to main thread. Every `run` ends with exactly one `complete`, `error` or `cancelled`. @internal */
export type FromWorker =
  | { readonly type: 'next'; readonly id: number; readonly value: unknown }
  | { readonly type: 'complete'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly error: SerializedError }
  | { readonly type: 'cancelled'; readonly id: number };

/**
 * An error as it crosses threads. Structured clone keeps only `message` and `stack` of an Error
 * (and turns unknown names into "Error"), so the fields oslo's failure format needs travel here.
 * @internal
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  /** Set when the error's class is a global one (`TypeError`...): its name. */
  readonly builtin?: string;
  /** Own enumerable fields (`code`, `kwargs`...); values that cannot be cloned arrive as `util.inspect` text. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The class's static `module`, oslo's exception module, when it declares one. */
  readonly module?: string;
  readonly cause?: SerializedError;
}

/** Deep enough for any real `cause` chain; a cyclic one is cut here. */
const MAX_CAUSE_DEPTH = 8;

if (isMainThread || !parentPort) throw new Error('worker-pool-thread.js is the entry script of workerPoolExecutor worker threads; it cannot be imported');
const port = parentPort;
const moduleUrl = (workerData as WorkerData).module;
const running = new Map<number, Subscription>();
/** The signals of the RPC handlers running, by run id. */
const signals = new Map<number, AbortController>();
let endpoints: Promise<readonly unknown[]> | undefined;

port.on('message', (message: ToWorker) => (message.type === 'run' ? start(message) : cancel(message)));

function start({ id, endpoint, method, params, call }: Extract<ToWorker, { type: 'run' }>): void {
  let all = params;
  if (call) {
    const controller = new AbortController();
    signals.set(id, controller);
    all = [...params, { signal: controller.signal, deadline: call.deadline } satisfies CallSignal];
  }
  const subscription = from(loadEndpoints())
    .pipe(mergeMap((list) => defer(() => handlerResult(invoke(list, endpoint, method, all)))))
    .subscribe({
      next: (value) => {
        try {
          port.postMessage({ type: 'next', id, value } satisfies FromWorker);
        } catch (cause) {
          running.get(id)?.unsubscribe();
          const error = new TypeError(
            `'${method}' produced a value that cannot be sent to the main thread (${describe(cause)}); handlers in a worker pool must return structured-cloneable data`,
            { cause },
          );
          finish({ type: 'error', id, error: serializeError(error) });
        }
      },
      error: (error: unknown) => finish({ type: 'error', id, error: serializeError(error) }),
      complete: () => finish({ type: 'complete', id }),
    });
  // The endpoints arrive on a later tick, so the subscription is always still open here.
  running.set(id, subscription);
}

function cancel({ id, why = 'cancelled' }: Extract<ToWorker, { type: 'cancel' }>): void {
  const subscription = running.get(id);
  // Unknown when the handler ended before the cancel arrived: its `complete` or `error` already went.
  if (!subscription) return;
  running.delete(id);
  const controller = signals.get(id);
  signals.delete(id);
  controller?.abort(new CallCancelled(why));
  subscription.unsubscribe();
  port.postMessage({ type: 'cancelled', id } satisfies FromWorker);
}

function finish(message: Extract<FromWorker, { type: 'complete' | 'error' }>): void {
  signals.delete(message.id);
  if (!running.delete(message.id)) return;
  port.postMessage(message);
}

function loadEndpoints(): Promise<readonly unknown[]> {
  endpoints ??= import(moduleUrl).then(
    (module: { endpoints?: unknown }) => {
      if (!Array.isArray(module.endpoints)) throw new TypeError(`${moduleUrl} must export 'endpoints', the array of endpoint objects given to the server or listener`);
      return module.endpoints;
    },
    (cause: unknown) => {
      throw new Error(`Cannot import the endpoints module ${moduleUrl} in a worker thread: ${describe(cause)}`, { cause });
    },
  );
  return endpoints;
}

function invoke(list: readonly unknown[], index: number, method: string, params: readonly unknown[]): unknown {
  const endpoint = list[index] as Record<string, unknown> | undefined;
  if (endpoint === undefined)
    throw new RangeError(`No endpoint at index ${index}: ${moduleUrl} exports ${list.length}; the server and the worker pool must use the same endpoints array`);
  const handler = endpoint[method];
  if (typeof handler !== 'function') throw new TypeError(`Endpoint ${index} exported by ${moduleUrl} has no method '${method}'`);
  return handler.apply(endpoint, params);
}

function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: typeof error === 'string' ? error : `Non-error thrown: ${inspect(error)}`, fields: {} };
  const fields = Object.fromEntries(Object.entries(error).map(([key, value]) => [key, cloneable(value)]));
  const declared: unknown = (error.constructor as { module?: unknown }).module;
  const builtin = (globalThis as Record<string, unknown>)[error.constructor.name] === error.constructor;
  return {
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(builtin ? { builtin: error.constructor.name } : {}),
    fields,
    ...(typeof declared === 'string' ? { module: declared } : {}),
    ...(error.cause === undefined || depth >= MAX_CAUSE_DEPTH ? {} : { cause: serializeError(error.cause, depth + 1) }),
  };
}

/** `value` when structured clone can send it, its `util.inspect` text when not. */
function cloneable(value: unknown): unknown {
  try {
    structuredClone(value);
    return value;
  } catch {
    return inspect(value);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
