/**
 * `batchNotificationListener`: oslo's batch notification server, sugar over
 * `transport.notifications(targets).pipe(dispatchNotificationBatches(endpoints))` with a
 * lifecycle. Messages are grouped per priority and handed to endpoints as lists, a batch being
 * flushed when it holds `batchSize` messages or `batchTimeout` ms after its first message,
 * whichever comes first. A batch is acked or requeued as a whole. Stopping mid-batch flushes the
 * partial batches: their messages are handled and settled before `stop()` resolves, so nothing
 * waits in a buffer unacked.
 */
import { dispatchNotificationBatches, type BatchNotificationEndpoint, type DispatchNotificationBatchesConfig } from '../../operators/notify/dispatch-notification-batches.js';
import { checkOptions, countOrInfinity, isScheduler, nonNegativeNumber } from '../core/check-options.js';
import { getLogger } from '../core/logger.js';
import type { Target } from '../core/target.js';
import type { Transport } from '../transport.js';
import { requireListenerCapabilities } from './capabilities.js';
import { consumeNotifications, LISTENER_OPTIONS, type NotificationListener, type NotificationListenerOptions } from './listener.js';

/** How a batch listener batches and dispatches (see `DispatchNotificationBatchesConfig`), and its pool. */
export interface BatchNotificationListenerOptions extends DispatchNotificationBatchesConfig, Pick<NotificationListenerOptions, 'pool'> {}

const BATCH_LISTENER_OPTIONS = { ...LISTENER_OPTIONS, batchSize: countOrInfinity, batchTimeout: nonNegativeNumber, scheduler: isScheduler } satisfies Record<
  keyof BatchNotificationListenerOptions,
  unknown
>;

/**
 * The same lifecycle as a notification listener; its `outcomes$` has one outcome per message of a
 * batch, and `stop()` flushes the partial batches and resolves once every batch is settled.
 */
export type BatchNotificationListener = NotificationListener;

const log = getLogger('rx-messaging.batch-notification-listener');

/**
 * A batch notification listener of `targets`: each endpoint method, named after a priority,
 * receives the messages of that priority as lists of up to `batchSize`.
 *
 * @example
 * ```ts
 * const listener = batchNotificationListener(transport, [{ topic: 'notifications' }], [{
 *   info: (messages) => store(messages.map((m) => m.payload)),
 * }], { batchSize: 100, batchTimeout: 5_000 });
 * ```
 */
export function batchNotificationListener(
  transport: Transport,
  targets: readonly Target[],
  endpoints: readonly BatchNotificationEndpoint[],
  options: BatchNotificationListenerOptions = {},
): BatchNotificationListener {
  checkOptions('batchNotificationListener', options, BATCH_LISTENER_OPTIONS);
  requireListenerCapabilities(transport, 'a batchNotificationListener', options.allowRequeue === true, options.pool);
  // Once stopping, what was not yet taken is left to the broker; the partial batches are
  // flushed when what was taken completes, then handled and settled.
  return consumeNotifications(transport, targets, endpoints, options, log, () => dispatchNotificationBatches(endpoints, options));
}
