/**
 * The RPC server: sugar over `transport.listen(target).pipe(dispatch(endpoints))`, with a
 * lifecycle. `start()` resolves once every target is consumed; `stop()` stops consuming and
 * resolves when the requests already received have been served.
 */
import { merge, Subject, takeUntil, type Observable } from 'rxjs';
import { dispatch, type DispatchConfig, type DispatchOutcome } from '../operators/dispatch.js';
import type { Endpoint } from '../operators/select-endpoint.js';
import { getLogger } from './logger.js';
import { assertTargetFor, describeTarget, target as makeTarget, type Target } from './target.js';
import type { Transport } from './transport.js';

export type RpcServerOptions = DispatchConfig;

export interface RpcServer {
  readonly targets: readonly Target[];
  /** Whether the server is consuming. */
  readonly running: boolean;
  /** What became of each request, for metrics and logs of your own. */
  readonly outcomes$: Observable<DispatchOutcome>;
  /** Starts consuming every target; resolves when the consumers are in place. */
  start(): Promise<void>;
  /** Stops consuming and resolves once in-flight requests are served (drained). */
  stop(): Promise<void>;
}

const log = getLogger('rx-messaging.rpc-server');

export function rpcServer(transport: Transport, targets: Target | readonly Target[], endpoints: readonly Endpoint[], options: RpcServerOptions = {}): RpcServer {
  const checked = (Array.isArray(targets) ? targets : [targets]).map((t: Target) => {
    const made = makeTarget(t);
    assertTargetFor('server', made);
    return made;
  });
  if (!Array.isArray(endpoints)) throw new TypeError('endpoints must be an array of endpoint objects');
  const outcomes$ = new Subject<DispatchOutcome>();
  let running: { stop$: Subject<void>; drained: Promise<void> } | undefined;

  return {
    targets: checked,
    get running() {
      return running !== undefined;
    },
    outcomes$: outcomes$.asObservable(),
    start() {
      if (running) return Promise.resolve();
      const stop$ = new Subject<void>();
      let ready = 0;
      let drain!: () => void;
      const drained = new Promise<void>((resolve) => (drain = resolve));
      return new Promise<void>((resolve, reject) => {
        const listeners = checked.map((t) => transport.listen(t, { onReady: () => ++ready === checked.length && resolve() }));
        merge(...listeners)
          .pipe(takeUntil(stop$), dispatch(endpoints, options))
          .subscribe({
            next: (outcome) => outcomes$.next(outcome),
            error: (error: Error) => {
              log.error('the server stopped consuming', { targets: checked.map(describeTarget), error: String(error) });
              running = undefined;
              reject(error);
              drain();
            },
            complete: drain,
          });
        running = { stop$, drained };
      });
    },
    async stop() {
      if (!running) return;
      const { stop$, drained } = running;
      running = undefined;
      stop$.next();
      await drained;
    },
  };
}
