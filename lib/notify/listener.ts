/**
 * `notificationListener`: oslo's notification server, sugar over
 * `transport.notifications(targets).pipe(dispatchNotifications(endpoints))` with a lifecycle.
 * Endpoint methods named after priorities receive `(context, publisherId, eventType, payload,
 * metadata)`; only the priorities some endpoint handles are consumed. A message is acked once its
 * handlers returned; a `REQUEUE` result or a thrown error requeues it when `allowRequeue` is set,
 * and acks it otherwise.
 */
import { Subject, tap, type Observable, type OperatorFunction } from 'rxjs';
import {
  dispatchNotifications,
  notificationPriorities,
  type DispatchNotificationsConfig,
  type EndpointOf,
  type NotificationEndpoint,
  type NotificationOutcome,
} from '../../operators/notify/dispatch-notifications.js';
import { anything, checkOptions, integerFrom, isBoolean, isExecutor, isScheduler, isSerializer, isString, objectWith } from '../core/check-options.js';
import { consumerLifecycle } from '../core/consumer-lifecycle.js';
import { getLogger, type Logger } from '../core/logger.js';
import type { Priority } from '../core/priority.js';
import { describeTarget, targetsFor, type Target } from '../core/target.js';
import type { IncomingNotification } from '../driver/notifications.js';
import { requireListenerCapabilities } from './capabilities.js';
import { driverNameOf, type Transport } from '../transport.js';

/** How a notification listener dispatches (see `DispatchNotificationsConfig`), and its pool. */
export interface NotificationListenerOptions extends Omit<DispatchNotificationsConfig, 'stopping'> {
  /** Listeners with the same pool share one copy of every message; each pool gets its own. */
  readonly pool?: string;
}

/** A running (or stopped) notification listener: `start()`, `stop()`, and the outcome of each message. */
export interface NotificationListener {
  /** The priorities consumed: those some endpoint has a method for. */
  readonly priorities: readonly Priority[];
  /** Whether it is consuming. */
  readonly running: boolean;
  /** What became of each message, for metrics and logs of your own. */
  readonly outcomes$: Observable<NotificationOutcome>;
  /** Starts consuming; resolves once the consumer is in place. */
  start(): Promise<void>;
  /** Stops consuming and resolves once the handlers in flight have finished and their messages are settled. */
  stop(): Promise<void>;
}

const log = getLogger('rx-messaging.notification-listener');

/** What a notification listener's options may hold, checked when it is made. @internal */
export const LISTENER_OPTIONS = {
  executor: isExecutor,
  serializer: isSerializer,
  allowRequeue: isBoolean,
  filter: objectWith('a notification filter: notificationFilter({ ... }) or its rules'),
  duplicateWindow: integerFrom(1),
  contract: objectWith('a notification contract made by notificationContract()'),
  tracing: anything,
  pool: isString,
  maxRedeliveries: integerFrom(0),
  redeliveryDelay: integerFrom(0),
  maxRedeliveryDelay: integerFrom(0),
  deadLetter: isBoolean,
  scheduler: isScheduler,
} satisfies Record<keyof NotificationListenerOptions, unknown>;

/**
 * A notification listener of `targets` handing each message to the `endpoints` methods named
 * after its priority; it consumes once `start()` is called.
 *
 * @example
 * ```ts
 * const listener = notificationListener(transport, [{ topic: 'notifications' }], [{
 *   info: (context, publisherId, eventType, payload) => console.log(eventType, payload),
 * }]);
 * await listener.start();
 * ```
 */
export function notificationListener(
  transport: Transport,
  targets: readonly Target[],
  endpoints: readonly NotificationEndpoint[],
  options: NotificationListenerOptions = {},
): NotificationListener {
  checkOptions('notificationListener', options, LISTENER_OPTIONS);
  requireListenerCapabilities(transport, 'a notificationListener', options.allowRequeue === true, options.pool);
  // A message still waiting for a free slot when the listener stops is left to the broker.
  const tracing = { driver: driverNameOf(transport), topics: targets.map((t) => t.topic ?? '') };
  return consumeNotifications(transport, targets, endpoints, options, log, (stopping) => dispatchNotifications(endpoints, { tracing, ...options, stopping }));
}

/**
 * What both listeners are: a consumer of the targets' priorities that `endpoints` handle, whose
 * messages go through `dispatch` (built once, here, so bad options fail now rather than at
 * start), with a lifecycle. @internal
 */
export function consumeNotifications(
  transport: Transport,
  targets: readonly Target[],
  endpoints: readonly EndpointOf<unknown>[],
  options: Pick<NotificationListenerOptions, 'pool' | 'allowRequeue'>,
  log: Logger,
  dispatch: (stopping: () => boolean) => OperatorFunction<IncomingNotification, NotificationOutcome>,
): NotificationListener {
  const checked = targetsFor('listener', targets);
  const { pool } = options;
  let stopping = () => false;
  const dispatched = dispatch(() => stopping());
  const priorities = notificationPriorities(endpoints);
  const outcomes$ = new Subject<NotificationOutcome>();
  const lifecycle = consumerLifecycle(
    log,
    { targets: checked.map(describeTarget), pool },
    {
      open: (onReady) => transport.notifications(checked, { priorities, onReady, ...(pool !== undefined && { pool }) }),
      process: (taken$, isStopping) => {
        stopping = isStopping;
        return taken$.pipe(
          dispatched,
          tap((outcome) => outcomes$.next(outcome)),
        );
      },
    },
  );
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
