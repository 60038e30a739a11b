import { asyncScheduler, connect, defer, filter, groupBy, map, merge, mergeAll, mergeMap, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Context } from '../../lib/core/context.js';
import { getLogger } from '../../lib/core/logger.js';
import type { Priority } from '../../lib/core/priority.js';
import type { IncomingNotification } from '../../lib/driver/notifications.js';
import { microtaskExecutor } from '../../lib/executors/executor.js';
import { bufferBatch } from './buffer-batch.js';
import {
  callbacksByPriority,
  runEndpoints,
  screeningOf,
  type DispatchNotificationsConfig,
  type EndpointOf,
  type HandlerOutcome,
  type NotificationMessage,
  type NotificationOutcome,
  type NotificationResult,
  type Screen,
} from './dispatch-notifications.js';
import type { NotificationMetadata } from './filter-notifications.js';
import { checkOption, countOrInfinity, nonNegativeNumber } from '../../lib/core/check-options.js';

/** One message of a batch, with oslo's keys for the batch handler's dicts. */
export interface BatchNotificationMessage {
  /** The request context, deserialized. */
  readonly ctxt: Context;
  readonly publisherId: string;
  readonly eventType: string;
  // biome-ignore lint/suspicious/noExplicitAny: payloads are whatever the publisher sent; with `unknown` every batch handler would need a cast to read one
  readonly payload: any;
  readonly metadata: NotificationMetadata;
}

/** oslo's batch handler: the messages of one batch, as a list. */
export type BatchNotificationHandler = (messages: readonly BatchNotificationMessage[]) => HandlerOutcome;

/** An object with methods named after priorities, each taking a list of messages, and an optional `filterRule`. */
export type BatchNotificationEndpoint = EndpointOf<BatchNotificationHandler>;

/** Options of `dispatchNotificationBatches`: those of `dispatchNotifications`, and how messages are batched. */
export interface DispatchNotificationBatchesConfig extends Omit<DispatchNotificationsConfig, 'stopping'> {
  /** Flush a priority's batch when it holds this many messages (default 1). */
  readonly batchSize?: number;
  /** Flush a priority's batch this many ms after its first message (default: only at `batchSize` or completion). */
  readonly batchTimeout?: number;
  /** Runs the batch timeouts; a `TestScheduler` makes them virtual. */
  readonly scheduler?: SchedulerLike;
}

const log = getLogger('rx-messaging.batch-notification-listener');

/**
 * A batch notification listener as an operator: screens each message as `dispatchNotifications`
 * does (what it drops is settled at once, outside any batch), batches the others per priority
 * (at `batchSize`, or `batchTimeout` ms after a batch's first message), hands each endpoint the
 * messages of a batch its `filterRule` lets through, and settles a batch as a whole: acked, or
 * requeued when `allowRequeue` is set and a handler asked for it or threw. Emits one outcome per
 * message; when the source completes, the partial batches are flushed, handled and settled.
 *
 * @example
 * notifications$.pipe(dispatchNotificationBatches([{ info: (messages) => store(messages) }], { batchSize: 100, batchTimeout: 5_000 }))
 */
export function dispatchNotificationBatches(
  endpoints: readonly BatchNotificationEndpoint[],
  config: DispatchNotificationBatchesConfig = {},
): OperatorFunction<IncomingNotification, NotificationOutcome> {
  const callbacks = callbacksByPriority(endpoints);
  const { batchSize = 1, batchTimeout, scheduler = asyncScheduler, executor = microtaskExecutor({ concurrency: 64 }) } = config;
  checkOption('dispatchNotificationBatches', 'batchSize', batchSize, countOrInfinity);
  checkOption('dispatchNotificationBatches', 'batchTimeout', batchTimeout, nonNegativeNumber);
  const screening = screeningOf(config);
  // Built here so a bad size or timeout fails now rather than at subscription.
  const batch = bufferBatch<Received>({ size: batchSize, ...(batchTimeout !== undefined && { timeout: batchTimeout }), scheduler });

  /** Runs the endpoints of the priority, each with the messages its filter lets through. */
  const work = (priority: Priority, received: readonly Received[]) => () =>
    runEndpoints(executor, callbacks.get(priority) ?? [], priority, {}, (callback) => {
      const messages = received.filter((r) => !callback.filter || callback.filter.match(r.message)).map((r) => r.batched);
      return messages.length === 0 ? undefined : [messages];
    }).catch((error: unknown): NotificationResult => {
      log.error('a batch notification handler failed', { priority, size: received.length, error: String(error), stack: (error as Error)?.stack });
      throw error;
    });

  const handleBatch = (screen: Screen, priority: Priority, received: readonly Received[]) =>
    screen.settle(
      received.map((r) => r.incoming),
      work(priority, received),
    );

  return (source) =>
    defer(() => {
      const screen = screening();
      return source.pipe(
        map((incoming) => receive(screen, incoming)),
        connect((received$) =>
          merge(
            received$.pipe(
              filter(isSettled),
              mergeMap((settled) => settled),
            ),
            received$.pipe(
              filter((received): received is Received => !isSettled(received)),
              groupBy((received) => received.incoming.priority),
              mergeMap((group) =>
                group.pipe(
                  batch,
                  mergeMap((received) => handleBatch(screen, group.key, received), executor.concurrency),
                ),
              ),
            ),
          ),
        ),
        mergeAll(),
      );
    });
}

interface Received {
  readonly incoming: IncomingNotification;
  /** As filters read it. */
  readonly message: NotificationMessage;
  /** As batch handlers receive it. */
  readonly batched: BatchNotificationMessage;
}

type Screened = Received | Promise<readonly NotificationOutcome[]>;

/** The message to batch, or the outcomes of settling it at once (a duplicate, filtered out, unreadable). */
function receive(screen: Screen, incoming: IncomingNotification): Screened {
  const message = screen.message(incoming);
  if (message instanceof Promise) return message;
  const { context, publisherId, eventType, payload, metadata } = message;
  return { incoming, message, batched: { ctxt: context, publisherId, eventType, payload, metadata } };
}

function isSettled(screened: Screened): screened is Promise<readonly NotificationOutcome[]> {
  return screened instanceof Promise;
}
