/**
 * `notificationListener`: oslo's notification server. Endpoint methods named after priorities
 * receive `(context, publisherId, eventType, payload, metadata)`; only the priorities some
 * endpoint handles are consumed. A message is acked once its handlers returned; a `REQUEUE`
 * result or a thrown error requeues it when `allowRequeue` is set, and acks it otherwise.
 *
 * ```ts
 * const listener = notificationListener(transport, [{ topic: 'notifications' }], [{
 *   info: (context, publisherId, eventType, payload) => console.log(eventType, payload),
 * }]);
 * await listener.start();
 * ```
 */
import { EMPTY, from, mergeMap, Subject, tap, type Observable } from 'rxjs';
import { consumerLifecycle } from '../core/consumer-lifecycle.js';
import type { Context } from '../core/context.js';
import type { IncomingNotification } from '../driver/notifications.js';
import { microtaskExecutor, type Executor } from '../executors/executor.js';
import { getLogger } from '../core/logger.js';
import { duplicateDetector } from './duplicates.js';
import {
  callbacksByPriority,
  isSettled,
  NotificationResult,
  runEndpoints,
  screenNotification,
  settleNotification,
  type EndpointOf,
  type HandlerOutcome,
  type NotificationMetadata,
  type NotificationOutcome,
} from './endpoint.js';
import { toNotificationFilter, type NotificationFilter, type NotificationFilterRule } from './filter.js';
import { PRIORITIES, type Priority } from '../core/priority.js';
import { noopSerializer, type Serializer } from '../core/serializer.js';
import { describeTarget, targetsFor, type Target } from '../core/target.js';
import { requireListenerCapabilities } from './capabilities.js';
import type { Transport } from '../transport.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are whatever the publisher sent
export type NotificationHandler = (context: Context, publisherId: string, eventType: string, payload: any, metadata: NotificationMetadata) => HandlerOutcome;

/** An object with methods named after priorities (`info`, `error`, ...) and an optional `filterRule`. */
export type NotificationEndpoint = EndpointOf<NotificationHandler>;

export interface NotificationListenerOptions {
  /**
   * Where and how many handlers run. Default `microtaskExecutor({ concurrency: 64 })`, oslo's
   * thread pool size; `blockingExecutor()` handles one message at a time, in arrival order.
   * The caller owns an executor it passes, and closes it.
   */
  readonly executor?: Executor;
  readonly serializer?: Serializer;
  /** Requeue on a `REQUEUE` result or a thrown error (default false: ack, as oslo does). */
  readonly allowRequeue?: boolean;
  /** Listeners with the same pool share one copy of every message; each pool gets its own. */
  readonly pool?: string;
  /** Screens every message before any endpoint (after deserializing it); a message it rejects is acked. */
  readonly filter?: NotificationFilter | NotificationFilterRule;
}

export interface NotificationListener {
  /** The priorities consumed: those some endpoint has a method for. */
  readonly priorities: readonly Priority[];
  readonly running: boolean;
  /** What became of each message, for metrics and logs of your own. */
  readonly outcomes$: Observable<NotificationOutcome>;
  /** Starts consuming; resolves once the consumer is in place. */
  start(): Promise<void>;
  /** Stops consuming and resolves once the handlers in flight have finished and their messages are settled. */
  stop(): Promise<void>;
}

const log = getLogger('rx-messaging.notification-listener');

export function notificationListener(transport: Transport, targets: readonly Target[], endpoints: readonly NotificationEndpoint[], options: NotificationListenerOptions = {}): NotificationListener {
  const checked = targetsFor('listener', targets);
  const callbacks = callbacksByPriority(endpoints);
  const priorities = PRIORITIES.filter((p) => callbacks.has(p));
  const { serializer = noopSerializer, allowRequeue = false, pool } = options;
  requireListenerCapabilities(transport, 'a notificationListener', allowRequeue, pool);
  const executor = options.executor ?? microtaskExecutor({ concurrency: 64 });
  const screen = options.filter === undefined ? undefined : toNotificationFilter(options.filter);
  const duplicates = duplicateDetector();
  const outcomes$ = new Subject<NotificationOutcome>();

  const screening = { serializer, screen, duplicates, allowRequeue };

  async function handle(incoming: IncomingNotification): Promise<NotificationOutcome> {
    const screened = screenNotification(incoming, screening);
    if (isSettled(screened)) return screened;
    const message = screened;
    const params = [message.context, message.publisherId, message.eventType, message.payload, message.metadata];
    try {
      const result = await runEndpoints(executor, callbacks.get(message.priority) ?? [], message.priority, message.context, (callback) =>
        callback.filter && !callback.filter.match(message) ? undefined : params,
      );
      const requeue = result === NotificationResult.REQUEUE;
      return await settleNotification(incoming, requeue && allowRequeue, { reason: requeue ? 'requeue' : 'handled' }, duplicates);
    } catch (error) {
      log.error('a notification handler failed', { messageId: incoming.messageId, eventType: incoming.eventType, priority: incoming.priority, error: String(error), stack: (error as Error)?.stack });
      return settleNotification(incoming, allowRequeue, { reason: 'error', error }, duplicates);
    }
  }

  const lifecycle = consumerLifecycle(log, { targets: checked.map(describeTarget), pool }, {
    open: (onReady) => transport.notifications(checked, { priorities, onReady, ...(pool !== undefined && { pool }) }),
    process: (taken$, stopping) =>
      taken$.pipe(
        // A message still waiting for a free slot when the listener stops is left to the broker.
        mergeMap((incoming) => (stopping() ? EMPTY : from(handle(incoming))), executor.concurrency),
        tap((outcome) => outcomes$.next(outcome)),
      ),
  });

  return {
    priorities,
    get running() {
      return lifecycle.running;
    },
    outcomes$: outcomes$.asObservable(),
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
}
