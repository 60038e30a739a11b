/**
 * `batchNotificationListener`: oslo's batch notification server. Messages are grouped per
 * priority and handed to endpoints as lists, a batch being flushed when it holds `batchSize`
 * messages or `batchTimeout` ms after its first message, whichever comes first. A batch is
 * acked or requeued as a whole. Stopping mid-batch flushes the partial batches: their messages
 * are handled and settled before `stop()` resolves, so nothing waits in a buffer unacked.
 *
 * ```ts
 * const listener = batchNotificationListener(transport, [{ topic: 'notifications' }], [{
 *   info: (messages) => store(messages.map((m) => m.payload)),
 * }], { batchSize: 100, batchTimeout: 5_000 });
 * ```
 */
import { asyncScheduler, concatMap, EMPTY, filter, from, groupBy, mergeMap, Subject, tap, type SchedulerLike } from 'rxjs';
import { consumerLifecycle } from '../core/consumer-lifecycle.js';
import { bufferBatch } from '../../operators/notify/buffer-batch.js';
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
  type NotificationMessage,
  type HandlerOutcome,
  type NotificationMetadata,
  type NotificationOutcome,
} from './endpoint.js';
import { toNotificationFilter, type NotificationFilter, type NotificationFilterRule } from './filter.js';
import { PRIORITIES, type Priority } from '../core/priority.js';
import { noopSerializer, type Serializer } from '../core/serializer.js';
import { describeTarget, targetsFor, type Target } from '../core/target.js';
import type { NotificationListener } from './listener.js';
import { requireListenerCapabilities } from './capabilities.js';
import type { Transport } from '../transport.js';

/** One message of a batch, with oslo's keys for the batch handler's dicts. */
export interface BatchNotificationMessage {
  readonly ctxt: Context;
  readonly publisherId: string;
  readonly eventType: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- payloads are whatever the publisher sent
  readonly payload: any;
  readonly metadata: NotificationMetadata;
}

export type BatchNotificationHandler = (messages: readonly BatchNotificationMessage[]) => HandlerOutcome;

/** An object with methods named after priorities, each taking a list of messages, and an optional `filterRule`. */
export type BatchNotificationEndpoint = EndpointOf<BatchNotificationHandler>;

export interface BatchNotificationListenerOptions {
  /** Flush a priority's batch when it holds this many messages (default 1). */
  readonly batchSize?: number;
  /** Flush a priority's batch this many ms after its first message (default: only at `batchSize` or stop). */
  readonly batchTimeout?: number;
  /** Default `microtaskExecutor({ concurrency: 64 })`; the caller owns an executor it passes. */
  readonly executor?: Executor;
  readonly serializer?: Serializer;
  /** Requeue the whole batch on a `REQUEUE` result or a thrown error (default false: ack it). */
  readonly allowRequeue?: boolean;
  readonly pool?: string;
  /** Screens every message before batching; a message it rejects is acked at once. */
  readonly filter?: NotificationFilter | NotificationFilterRule;
  /** Runs the batch timeouts; a `TestScheduler` makes them virtual. */
  readonly scheduler?: SchedulerLike;
}

/**
 * The same lifecycle as a notification listener; its `outcomes$` has one outcome per message of a
 * batch, and `stop()` flushes the partial batches and resolves once every batch is settled.
 */
export type BatchNotificationListener = NotificationListener;

const log = getLogger('rx-messaging.batch-notification-listener');

interface Received {
  readonly incoming: IncomingNotification;
  /** As filters read it. */
  readonly message: NotificationMessage;
  /** As batch handlers receive it. */
  readonly batched: BatchNotificationMessage;
}

export function batchNotificationListener(
  transport: Transport,
  targets: readonly Target[],
  endpoints: readonly BatchNotificationEndpoint[],
  options: BatchNotificationListenerOptions = {},
): BatchNotificationListener {
  const checked = targetsFor('listener', targets);
  const callbacks = callbacksByPriority(endpoints);
  const priorities = PRIORITIES.filter((p) => callbacks.has(p));
  const { batchSize = 1, batchTimeout, serializer = noopSerializer, allowRequeue = false, pool, scheduler = asyncScheduler } = options;
  requireListenerCapabilities(transport, 'a batchNotificationListener', allowRequeue, pool);
  const executor = options.executor ?? microtaskExecutor({ concurrency: 64 });
  const screen = options.filter === undefined ? undefined : toNotificationFilter(options.filter);
  const duplicates = duplicateDetector();
  const outcomes$ = new Subject<NotificationOutcome>();
  // Built here so a bad size or timeout fails now rather than at start.
  const batch = bufferBatch<Received>({ size: batchSize, ...(batchTimeout !== undefined && { timeout: batchTimeout }), scheduler });

  const screening = { serializer, screen, duplicates, allowRequeue };

  /** The message to batch, or undefined when it was settled at once (a duplicate, filtered out, unreadable). */
  async function receive(incoming: IncomingNotification): Promise<Received | undefined> {
    const screened = screenNotification(incoming, screening);
    if (isSettled(screened)) {
      outcomes$.next(await screened);
      return undefined;
    }
    const { context, publisherId, eventType, payload, metadata } = screened;
    return { incoming, message: screened, batched: { ctxt: context, publisherId, eventType, payload, metadata } };
  }

  /** Runs the endpoints of the priority, each with the messages its filter lets through. */
  function dispatch(priority: Priority, received: readonly Received[]): Promise<NotificationResult> {
    return runEndpoints(executor, callbacks.get(priority) ?? [], priority, {}, (callback) => {
      const messages = received.filter((r) => !callback.filter || callback.filter.match(r.message)).map((r) => r.batched);
      return messages.length === 0 ? undefined : [messages];
    });
  }

  /** Handles one batch and settles all of its messages alike. */
  async function handleBatch(priority: Priority, received: readonly Received[]): Promise<NotificationOutcome[]> {
    let requeue: boolean;
    let why: Pick<NotificationOutcome, 'reason' | 'error'>;
    try {
      requeue = (await dispatch(priority, received)) === NotificationResult.REQUEUE;
      why = { reason: requeue ? 'requeue' : 'handled' };
    } catch (error) {
      log.error('a batch notification handler failed', { priority, size: received.length, error: String(error), stack: (error as Error)?.stack });
      requeue = true;
      why = { reason: 'error', error };
    }
    return Promise.all(received.map((r) => settleNotification(r.incoming, requeue && allowRequeue, why, duplicates)));
  }

  const lifecycle = consumerLifecycle(log, { targets: checked.map(describeTarget), pool }, {
    open: (onReady) => transport.notifications(checked, { priorities, onReady, ...(pool !== undefined && { pool }) }),
    process: (taken$, stopping) =>
      taken$.pipe(
        // Once stopping, what was not yet taken into a batch is left to the broker; the partial
        // batches are flushed when taken$ completes, then handled and settled.
        concatMap((incoming) => (stopping() ? EMPTY : from(receive(incoming)))),
        filter((received): received is Received => received !== undefined),
        groupBy((received) => received.incoming.priority),
        mergeMap((group) => group.pipe(batch, mergeMap((received) => from(handleBatch(group.key, received)), executor.concurrency))),
        mergeMap((outcomes) => outcomes),
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
