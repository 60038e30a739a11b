/**
 * The RPC server: sugar over `transport.listen(target).pipe(dispatch(endpoints))`, with a
 * lifecycle. `start()` resolves once every target is consumed; `stop()` stops taking requests
 * and resolves when the ones already taken have been served, or given up at its `deadline`.
 */
import { merge, Subject, tap, type Observable } from 'rxjs';
import type { Context } from '../core/context.js';
import { dispatch, type DispatchConfig, type DispatchOutcome } from '../../operators/rpc/dispatch.js';
import type { Endpoint } from '../../operators/rpc/select-endpoint.js';
import { anything, checkOptions, integerFrom, isBoolean, isErrorClasses, isExecutor, isFunction, isScheduler, isSerializer, objectWith } from '../core/check-options.js';
import { consumerLifecycle } from '../core/consumer-lifecycle.js';
import { getLogger } from '../core/logger.js';
import { describeTarget, targetsFor, type Target } from '../core/target.js';
import { driverNameOf, requireCapability, type Transport } from '../transport.js';
import type { ArgsOf, MethodOf, ResultOf, RpcApi } from './client.js';
import type { RpcContract, ServerApiOf } from './contract.js';

/** How a server dispatches: executor, access policy, at-least-once, serializer (see `DispatchConfig`). */
export type RpcServerOptions = Omit<DispatchConfig, 'identity' | 'signal'>;

/** What `stop()` may be told. */
export interface StopOptions {
  /**
   * When draining ends, in ms since the epoch: requests still running or waiting then are given
   * up (their handlers' signals abort) and their callers get a `CallCancelled` failure. Without
   * it, `stop()` waits for every request taken.
   */
  readonly deadline?: number;
}

/** What a handler may return for a result `R`: the value, a Promise of it, or a stream of values. */
export type Served<R> = R | PromiseLike<R> | Observable<R> | AsyncIterable<R>;

/**
 * An endpoint implementing every method of `Api`: each handler takes the method's arguments
 * (and the request context) and returns its result. Declared as properties, so a handler's
 * argument type is checked strictly, not bivariantly.
 */
export type ApiEndpoint<Api> = { readonly [M in MethodOf<Api>]: (args: ArgsOf<Api, M>, context: Context) => Served<ResultOf<Api, M>> } & {
  readonly target?: Pick<Target, 'namespace' | 'version' | 'legacyNamespaces'>;
};

/**
 * The endpoints of a server of `Api`: the first implements all of it (oslo picks the first
 * endpoint that has a method, so it serves every call of the API); endpoints after it serve
 * other namespaces or versions and are not checked against `Api`. Untyped (`RpcApi`), any endpoints.
 */
export type EndpointsFor<Api> = string extends MethodOf<Api> ? readonly Endpoint[] : readonly [ApiEndpoint<Api>, ...Endpoint[]] | readonly ApiEndpoint<Api>[];

/** A running (or stopped) RPC server: `start()`, `stop()`, and the outcome of each request. */
export interface RpcServer {
  /** What it consumes, as checked by `target()`. */
  readonly targets: readonly Target[];
  /** Whether the server is consuming. */
  readonly running: boolean;
  /** What became of each request, for metrics and logs of your own. */
  readonly outcomes$: Observable<DispatchOutcome>;
  /** Starts consuming every target; resolves when the consumers are in place. */
  start(): Promise<void>;
  /** Stops taking requests and resolves once those taken are served (drained), or given up at `deadline`. */
  stop(options?: StopOptions): Promise<void>;
}

const log = getLogger('rx-messaging.rpc-server');

const SERVER_OPTIONS = {
  executor: isExecutor,
  serializer: isSerializer,
  accessPolicy: isFunction,
  atLeastOnce: isBoolean,
  expectedErrors: isErrorClasses,
  duplicateWindow: integerFrom(1),
  contract: objectWith('a contract made by contract()'),
  tracing: anything,
  maxRedeliveries: integerFrom(0),
  deadLetter: isBoolean,
  scheduler: isScheduler,
} satisfies Record<keyof RpcServerOptions, unknown>;

/**
 * An RPC server of `endpoints` on `targets` (each with a topic and a server): it consumes the
 * topic's shared queue, its own server queue and the topic's fanout once `start()` is called.
 * With a `contract` (`contract()`), the endpoints are typed from its schemas, which check
 * arguments before the handler runs and results before they are sent.
 *
 * @example
 * ```ts
 * const server = rpcServer(transport, target({ topic: 'compute', server: 'host-1' }), [
 *   { resize: async ({ instance, flavor }: { instance: string; flavor: string }) => ({ ok: true }) },
 * ], { executor: microtaskExecutor({ concurrency: 16 }) });
 * await server.start();
 * // ...
 * await server.stop();
 * ```
 */
export function rpcServer<C extends RpcContract>(
  transport: Transport,
  targets: Target | readonly Target[],
  endpoints: EndpointsFor<ServerApiOf<C>>,
  options: RpcServerOptions & { readonly contract: C },
): RpcServer;
/** A server of `Api` (the interface its clients use as `rpcClient<Api>`): a missing method, a wrong argument or result type does not compile. */
export function rpcServer<Api = RpcApi>(
  transport: Transport,
  targets: Target | readonly Target[],
  endpoints: EndpointsFor<Api>,
  options?: RpcServerOptions & { readonly contract?: undefined },
): RpcServer;
export function rpcServer(transport: Transport, targets: Target | readonly Target[], endpoints: readonly Endpoint[], options: RpcServerOptions = {}): RpcServer {
  checkOptions('rpcServer', options, SERVER_OPTIONS);
  const checked = targetsFor('server', targets);
  if (!Array.isArray(endpoints)) throw new TypeError('endpoints must be an array of endpoint objects');
  // A request left unacked by a server that died must come back: the broker redelivery `requeue` names.
  if (options.atLeastOnce)
    requireCapability(
      transport,
      'requeue',
      'an rpcServer with atLeastOnce',
      'leave atLeastOnce off (requests are acked on receipt, at most once, as oslo does), or connect to a broker transport (rabbit://)',
    );
  const outcomes$ = new Subject<DispatchOutcome>();
  const config: RpcServerOptions = { tracing: { driver: driverNameOf(transport), destination: [...new Set(checked.map((t) => t.topic))].join(',') }, ...options };
  // Named in replies: rx callers send their cancels to this server's own queue.
  const first = checked[0]!;
  const identity = first.exchange === undefined ? { topic: first.topic!, server: first.server! } : { exchange: first.exchange, topic: first.topic!, server: first.server! };
  // One per start: aborted when a stop's drain deadline passes.
  let drainDeadline = new AbortController();
  const lifecycle = consumerLifecycle(
    log,
    { targets: checked.map(describeTarget) },
    {
      open: (onReady) => {
        let ready = 0;
        return merge(...checked.map((t) => transport.listen(t, { onReady: () => ++ready === checked.length && onReady() })));
      },
      // Every request taken is served, even while stopping: callers are waiting for them.
      process: (taken$) => {
        drainDeadline = new AbortController();
        return taken$.pipe(
          dispatch(endpoints, { ...config, identity, signal: drainDeadline.signal }),
          tap((outcome) => outcomes$.next(outcome)),
        );
      },
    },
  );
  return {
    targets: checked,
    get running() {
      return lifecycle.running;
    },
    outcomes$: outcomes$.asObservable(),
    start: () => lifecycle.start(),
    stop: ({ deadline } = {}) => drainUntil(() => lifecycle.stop(), drainDeadline, deadline),
  };
}

async function drainUntil(stop: () => Promise<void>, drain: AbortController, deadline: number | undefined): Promise<void> {
  if (deadline === undefined) return stop();
  const timer = setTimeout(() => drain.abort(), Math.max(0, deadline - Date.now()));
  try {
    await stop();
  } finally {
    clearTimeout(timer);
  }
}
