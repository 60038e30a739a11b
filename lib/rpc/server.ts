/**
 * The RPC server: sugar over `transport.listen(target).pipe(dispatch(endpoints))`, with a
 * lifecycle. `start()` resolves once every target is consumed; `stop()` stops taking requests
 * and resolves when the ones already taken have been served, or given up at its `deadline`.
 */
import { merge, Subject, tap, type Observable } from 'rxjs';
import { dispatch, type DispatchConfig, type DispatchOutcome } from '../../operators/rpc/dispatch.js';
import type { Endpoint } from '../../operators/rpc/select-endpoint.js';
import { consumerLifecycle } from '../core/consumer-lifecycle.js';
import { getLogger } from '../core/logger.js';
import { describeTarget, targetsFor, type Target } from '../core/target.js';
import { requireCapability, type Transport } from '../transport.js';

export type RpcServerOptions = Omit<DispatchConfig, 'identity' | 'signal'>;

export interface StopOptions {
  /**
   * When draining ends, in ms since the epoch: requests still running or waiting then are given
   * up (their handlers' signals abort) and their callers get a `CallCancelled` failure. Without
   * it, `stop()` waits for every request taken.
   */
  readonly deadline?: number;
}

export interface RpcServer {
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

export function rpcServer(transport: Transport, targets: Target | readonly Target[], endpoints: readonly Endpoint[], options: RpcServerOptions = {}): RpcServer {
  const checked = targetsFor('server', targets);
  if (!Array.isArray(endpoints)) throw new TypeError('endpoints must be an array of endpoint objects');
  // A request left unacked by a server that died must come back: the broker redelivery `requeue` names.
  if (options.atLeastOnce) requireCapability(transport, 'requeue', 'an rpcServer with atLeastOnce', 'leave atLeastOnce off (requests are acked on receipt, at most once, as oslo does), or connect to a broker transport (rabbit://)');
  const outcomes$ = new Subject<DispatchOutcome>();
  // Named in replies: rx callers send their cancels to this server's own queue.
  const first = checked[0]!;
  const identity = first.exchange === undefined ? { topic: first.topic!, server: first.server! } : { exchange: first.exchange, topic: first.topic!, server: first.server! };
  // One per start: aborted when a stop's drain deadline passes.
  let drainDeadline = new AbortController();
  const lifecycle = consumerLifecycle(log, { targets: checked.map(describeTarget) }, {
    open: (onReady) => {
      let ready = 0;
      return merge(...checked.map((t) => transport.listen(t, { onReady: () => ++ready === checked.length && onReady() })));
    },
    // Every request taken is served, even while stopping: callers are waiting for them.
    process: (taken$) => {
      drainDeadline = new AbortController();
      return taken$.pipe(dispatch(endpoints, { ...options, identity, signal: drainDeadline.signal }), tap((outcome) => outcomes$.next(outcome)));
    },
  });
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
