import { asyncScheduler, defer, EMPTY, lastValueFrom, Observable, type ObservableInput, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { Context } from '../../lib/core/context.js';
import { checkOption, integerFrom, nonNegativeNumber } from '../../lib/core/check-options.js';
import { getLogger } from '../../lib/core/logger.js';
import { PRIORITIES, type Priority } from '../../lib/core/priority.js';
import { noopSerializer, type Serializer } from '../../lib/core/serializer.js';
import type { IncomingNotification, Notification } from '../../lib/driver/notifications.js';
import { handlerResult, microtaskExecutor, type Executor } from '../../lib/executors/executor.js';
import { boundedMergeMap } from '../bounded-merge-map.js';
import { seenIds, type SeenIds } from '../drop-duplicates.js';
import { settleOrFail } from './acknowledge.js';
import { checkPayload, type PayloadSchemas } from './check-payload.js';
import { processSpan } from '../../lib/core/tracing.js';
import type { AcknowledgeError } from '../../lib/core/errors.js';
import {
  notificationMetadata,
  toNotificationFilter,
  type FilterSubject,
  type NotificationFilter,
  type NotificationFilterRule,
  type NotificationMetadata,
} from './filter-notifications.js';

/** What a handler returns: `REQUEUE` asks for another delivery; anything else (or nothing) means handled. */
export const NotificationResult = { HANDLED: 'handled', REQUEUE: 'requeue' } as const;
/** `'handled'` or `'requeue'`. */
export type NotificationResult = (typeof NotificationResult)[keyof typeof NotificationResult];

/** A handler's return: a result, nothing, or a Promise or Observable of either (its last value counts). */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing (void) must fit, as `undefined` would refuse it
export type HandlerOutcome = NotificationResult | void | PromiseLike<NotificationResult | void> | ObservableInput<NotificationResult | void>;

/** An endpoint whose methods, named after priorities, are handlers of type `H`; `filterRule` screens what the endpoint receives. */
export type EndpointOf<H> = { readonly [P in Priority]?: H } & {
  readonly filterRule?: NotificationFilter | NotificationFilterRule;
};

/** oslo's notification handler: `(context, publisherId, eventType, payload, metadata)`. */
// biome-ignore lint/suspicious/noExplicitAny: payloads are whatever the publisher sent; with `unknown` a handler could not declare its payload's type
export type NotificationHandler = (context: Context, publisherId: string, eventType: string, payload: any, metadata: NotificationMetadata) => HandlerOutcome;

/** An object with methods named after priorities (`info`, `error`, ...) and an optional `filterRule`. */
export type NotificationEndpoint = EndpointOf<NotificationHandler>;

/** What became of one message, for metrics and logs. */
export interface NotificationOutcome {
  readonly messageId: string;
  readonly eventType: string;
  readonly priority: Priority;
  /** `failed` when the broker refused the ack or requeue (it will redeliver the message). */
  readonly settled: 'acked' | 'requeued' | 'dead-lettered' | 'failed';
  /**
   * Why: the endpoints handled it (or none wanted it), the filter dropped it, it was a
   * duplicate, a handler asked for a requeue, a handler (or the serializer) threw, or it was
   * given up after `maxRedeliveries` (a poison message: dead-lettered, or acked and dropped).
   */
  readonly reason: 'handled' | 'filtered' | 'duplicate' | 'requeue' | 'error' | 'poison';
  readonly error?: unknown;
}

const log = getLogger('rx-messaging.notification-listener');

/** Options of `dispatchNotifications`, and of the notification listeners built on it. */
export interface DispatchNotificationsConfig {
  /**
   * Where and how many handlers run. Default `microtaskExecutor({ concurrency: 64 })`, oslo's
   * thread pool size; `blockingExecutor()` handles one message at a time, in arrival order.
   * The caller owns an executor it passes, and closes it.
   */
  readonly executor?: Executor;
  /** Turns payloads and the context back from wire values (default `noopSerializer`). */
  readonly serializer?: Serializer;
  /** Requeue on a `REQUEUE` result or a thrown error (default false: ack, as oslo does). */
  readonly allowRequeue?: boolean;
  /** Screens every message before any endpoint (after deserializing it); a message it rejects is acked. */
  readonly filter?: NotificationFilter | NotificationFilterRule;
  /** How many recent `_unique_id`s to remember to ack redelivered duplicates unhandled (default 16). */
  readonly duplicateWindow?: number;
  /**
   * Payload schemas by event type (`notificationContract()`): a payload that passes reaches the
   * handlers as the schema gives it back; one that fails is acked unhandled (another delivery
   * would fail the same), an `error` outcome with `InvalidPayload`.
   */
  readonly contract?: PayloadSchemas;
  /** What a traced listener's spans name as the messaging system (the driver's name) and the topics consumed; the listeners fill it in. */
  readonly tracing?: { readonly driver: string; readonly topics: readonly string[] };
  /**
   * Once true, a message still waiting for a free slot is left unsettled, for the broker to
   * deliver again: how a stopping listener lets go of what it has not started.
   */
  readonly stopping?: () => boolean;
  /**
   * How many times a message is requeued at most (default 5): a message a handler keeps failing
   * on (a poison message) is then dead-lettered, or dropped with a warning, instead of going
   * round forever. Counted by the transport where it can (memory, RabbitMQ quorum queues'
   * `x-delivery-count`), else by this process per message id.
   */
  readonly maxRedeliveries?: number;
  /** Ms before the first requeue (default 100), doubling with each redelivery up to `maxRedeliveryDelay`. */
  readonly redeliveryDelay?: number;
  /** Ms the wait before a requeue grows to at most (default 30,000). */
  readonly maxRedeliveryDelay?: number;
  /**
   * What becomes of a message past `maxRedeliveries`: true (default) moves it to its queue's
   * dead-letter queue (`deadLetterQueue`) where the transport has one, false acks it and logs a
   * warning (dropped).
   */
  readonly deadLetter?: boolean;
  /** Runs the waits before requeues; a `TestScheduler` makes them virtual (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/** Message ids counted per process at most: enough for every message going round at once. */
const COUNTED_IDS = 10_000;

/**
 * A notification listener as an operator: messages in, one outcome per message out. Acks a
 * duplicate `_unique_id` unhandled, deserializes with the serializer, acks what the filter
 * rejects, runs the endpoints of the message's priority on the executor (each endpoint whose
 * `filterRule` lets it through, in order, until one asks for a requeue), then acks the message,
 * or requeues it when `allowRequeue` is set and a handler asked for it or threw. A refused ack
 * or requeue is a `failed` outcome, not an error: the broker redelivers the message.
 *
 * @example
 * transport.notifications([target({ topic: 'notifications' })], { priorities: notificationPriorities([audit]) })
 *   .pipe(dispatchNotifications([audit], { allowRequeue: true }))
 *   .subscribe((outcome) => metrics.count(outcome.reason));
 */
export function dispatchNotifications(
  endpoints: readonly NotificationEndpoint[],
  config: DispatchNotificationsConfig = {},
): OperatorFunction<IncomingNotification, NotificationOutcome> {
  const callbacks = callbacksByPriority(endpoints);
  const { executor = microtaskExecutor({ concurrency: 64 }), stopping = never } = config;
  const screening = screeningOf(config);
  const { driver, topics } = config.tracing ?? { driver: 'unknown', topics: ['unknown'] };
  const handle = (screen: Screen, incoming: IncomingNotification): Promise<readonly NotificationOutcome[]> => {
    const message = screen.message(incoming);
    if (message instanceof Promise) return message;
    const span = processSpan(() => ({ driver, destination: topics.map((topic) => `${topic}.${incoming.priority}`).join(','), messageId: incoming.messageId }), incoming.context);
    const params = [message.context, message.publisherId, message.eventType, message.payload, message.metadata];
    const work = () =>
      runEndpoints(executor, callbacks.get(message.priority) ?? [], message.priority, message.context, (callback) =>
        callback.filter && !callback.filter.match(message) ? undefined : params,
      ).catch((error: unknown) => {
        log.error('a notification handler failed', {
          messageId: incoming.messageId,
          eventType: incoming.eventType,
          priority: incoming.priority,
          error: String(error),
          stack: (error as Error)?.stack,
        });
        throw error;
      });
    if (!span) return screen.settle([incoming], work);
    return screen
      .settle([incoming], () => span.run(work))
      .then((outcomes) => {
        span.end(outcomes[0]?.error);
        return outcomes;
      });
  };
  return (source) =>
    defer(() => {
      const screen = screening();
      return source.pipe(boundedMergeMap((incoming) => (stopping() ? EMPTY : outcomesOf(handle(screen, incoming))), executor.concurrency));
    });
}

/** The outcomes a message's handling resolves to, one by one: what `from` and `mergeAll` would give, with one subscription a message instead of two. */
function outcomesOf(handled: Promise<readonly NotificationOutcome[]>): Observable<NotificationOutcome> {
  return new Observable((subscriber) => {
    handled.then(
      (outcomes) => {
        for (const outcome of outcomes) subscriber.next(outcome);
        subscriber.complete();
      },
      (error: unknown) => subscriber.error(error),
    );
  });
}

/**
 * The priorities `endpoints` have methods for, in oslo's order: those to consume.
 *
 * @example
 * ```ts
 * notificationPriorities([{ info: () => {}, error: () => {} }]); // ['info', 'error']
 * ```
 */
export function notificationPriorities(endpoints: readonly EndpointOf<unknown>[]): Priority[] {
  return PRIORITIES.filter((priority) => endpoints.some((endpoint) => typeof endpoint[priority] === 'function'));
}

const never = () => false;

/** A notification as handed to endpoints and their filters: context and payload deserialized. @internal */
export interface NotificationMessage extends FilterSubject {
  readonly priority: Priority;
}

/** One endpoint method able to handle a priority, in endpoint order. @internal */
interface Callback<H> {
  /** Index of the endpoint in the list, for the executor. */
  readonly endpoint: number;
  readonly handler: H;
  readonly filter?: NotificationFilter;
}

/**
 * The methods of `endpoints` by priority. Throws a `TypeError` when no endpoint handles any
 * priority, since such a listener would subscribe to nothing. @internal
 */
export function callbacksByPriority<H extends (...args: never[]) => unknown>(endpoints: readonly EndpointOf<H>[]): ReadonlyMap<Priority, readonly Callback<H>[]> {
  const byPriority = new Map<Priority, Callback<H>[]>();
  endpoints.forEach((endpoint, index) => {
    const filter = endpoint.filterRule === undefined ? undefined : toNotificationFilter(endpoint.filterRule);
    for (const priority of PRIORITIES) {
      const handler = endpoint[priority];
      if (typeof handler !== 'function') continue;
      const callback: Callback<H> = filter ? { endpoint: index, handler, filter } : { endpoint: index, handler };
      byPriority.set(priority, [...(byPriority.get(priority) ?? []), callback]);
    }
  });
  if (byPriority.size === 0) throw new TypeError(`no endpoint has a method named after a priority (${PRIORITIES.join(', ')})`);
  return byPriority;
}

/**
 * Runs the endpoints of a priority in endpoint order; oslo stops at the first that asks for a
 * requeue. `paramsFor` gives a callback's arguments, or undefined to skip it (its filter let
 * nothing through). A thrown error rejects. `from` is where the chain goes on: promises chained
 * rather than an async loop, so one endpoint, the usual case, costs one `then` on the handler's
 * result. @internal
 */
export function runEndpoints<H extends (...params: never[]) => HandlerOutcome>(
  executor: Executor,
  callbacks: readonly Callback<H>[],
  priority: Priority,
  context: Context,
  paramsFor: (callback: Callback<H>) => readonly unknown[] | undefined,
  from = 0,
): Promise<NotificationResult> {
  for (let index = from; index < callbacks.length; index++) {
    const callback = callbacks[index]!;
    const params = paramsFor(callback);
    if (params === undefined) continue;
    return invokeHandler(executor, callback, priority, params, context).then((result) =>
      result === NotificationResult.REQUEUE ? NotificationResult.REQUEUE : runEndpoints(executor, callbacks, priority, context, paramsFor, index + 1),
    );
  }
  return HANDLED;
}

const HANDLED = Promise.resolve(NotificationResult.HANDLED);

/** What a dispatcher screens and settles messages with; one per subscription, each with its own window of ids. @internal */
export interface Screen {
  /**
   * The message endpoints will see or, when it never reaches them, the outcome of settling it at
   * once: a duplicate or a filtered message is acked, an unreadable one acked or requeued. A
   * message that passes is returned as it is, not in a Promise: most messages pass.
   */
  message(incoming: IncomingNotification): NotificationMessage | Promise<readonly NotificationOutcome[]>;
  /**
   * Runs `work` (the endpoints; it logs its own failure) and settles the messages as one through
   * acknowledge's code: acks them, or requeues them when allowed and the work asked for it or
   * threw. One outcome per message.
   */
  settle(incomings: readonly IncomingNotification[], work: () => Promise<NotificationResult>): Promise<readonly NotificationOutcome[]>;
}

/** Builds a `Screen` per subscription from the dispatcher's config. @internal */
export function screeningOf(
  config: Pick<
    DispatchNotificationsConfig,
    'serializer' | 'allowRequeue' | 'filter' | 'duplicateWindow' | 'contract' | 'maxRedeliveries' | 'redeliveryDelay' | 'maxRedeliveryDelay' | 'deadLetter' | 'scheduler'
  >,
): () => Screen {
  const { serializer = noopSerializer, allowRequeue = false, duplicateWindow = 16, contract } = config;
  const redelivery = redeliveryOf(config);
  const filter = config.filter === undefined ? undefined : toNotificationFilter(config.filter);
  // Checked here so a bad window fails when the operator is made, not at subscription.
  checkOption('dispatchNotifications', 'duplicateWindow', duplicateWindow, integerFrom(1));
  return () => {
    const seen = seenIds(duplicateWindow);
    const settle = settlingWith(seen, redelivery);
    return {
      message(incoming) {
        if (seen.has(incoming.uniqueId)) {
          log.debug('dropping a duplicate notification', { messageId: incoming.messageId, uniqueId: incoming.uniqueId });
          return settle([incoming], false, 'duplicate');
        }
        let message: NotificationMessage;
        try {
          message = toMessage(incoming, serializer);
        } catch (error) {
          log.error('could not deserialize a notification', { messageId: incoming.messageId, error: String(error) });
          return settle([incoming], allowRequeue, 'error', error);
        }
        if (filter && !filter.match(message)) return settle([incoming], false, 'filtered');
        if (!contract) return message;
        const checked = checkPayload(contract, message.eventType, message.payload, true);
        if ('value' in checked) return checked.value === message.payload ? message : { ...message, payload: checked.value };
        log.warn('refused a notification whose payload fails its contract', { messageId: incoming.messageId, eventType: incoming.eventType, issues: checked.issues });
        return settle([incoming], false, 'error', checked);
      },
      async settle(incomings, work) {
        let requeue: boolean;
        try {
          requeue = (await work()) === NotificationResult.REQUEUE;
        } catch (error) {
          return settle(incomings, allowRequeue, 'error', error);
        }
        return settle(incomings, requeue && allowRequeue, requeue ? 'requeue' : 'handled');
      },
    };
  };
}

/**
 * Acks the messages, or requeues them when `requeue`, and says how that went. An acked message's
 * `_unique_id` joins the window, so a redelivered copy is acked as a duplicate; a requeued one's
 * does not, so it is handled again when it comes back (oslo remembers an id on ack).
 */
function settlingWith(seen: SeenIds, redelivery: Redelivery) {
  const settled = (incomings: readonly IncomingNotification[], action: 'ack' | 'requeue', reason: NotificationOutcome['reason'], error: unknown) =>
    settleOrFail(action, incomings).then(
      () => {
        if (action === 'requeue') return incomings.map((incoming) => outcomeOf(incoming, 'requeued', reason, error));
        for (const incoming of incomings) seen.add(incoming.uniqueId);
        return incomings.map((incoming) => outcomeOf(incoming, 'acked', reason, error));
      },
      (refused: AcknowledgeError) => {
        // The broker redelivers what it did not see settled, so the dispatcher carries on.
        const { cause } = refused;
        log.error(`could not ${action} a notification`, { messageId: incomings[0]?.messageId, count: incomings.length, error: String(cause) });
        return incomings.map((incoming) => outcomeOf(incoming, 'failed', reason, cause));
      },
    );
  const requeued = async (incomings: readonly IncomingNotification[], reason: NotificationOutcome['reason'], error: unknown): Promise<readonly NotificationOutcome[]> => {
    const poison = incomings.filter((incoming) => redelivery.exhausted(incoming));
    if (poison.length) {
      const outcomes = await Promise.all(poison.map((incoming) => redelivery.giveUp(incoming, error)));
      const others = incomings.filter((incoming) => !poison.includes(incoming));
      return others.length ? [...outcomes, ...(await requeued(others, reason, error))] : outcomes;
    }
    await redelivery.wait(incomings);
    return settled(incomings, 'requeue', reason, error);
  };
  // Not async: an ack, what nearly every message gets, takes settleOrFail's promise as it is.
  return (incomings: readonly IncomingNotification[], requeue: boolean, reason: NotificationOutcome['reason'], error?: unknown): Promise<readonly NotificationOutcome[]> => {
    if (requeue) return requeued(incomings, reason, error);
    for (const incoming of incomings) redelivery.forget(incoming);
    return settled(incomings, 'ack', reason, error);
  };
}

/** The redelivery limit of a dispatcher: how often a message went round, how long to wait before requeueing it, and how to give it up. */
interface Redelivery {
  /** True once `incoming` was redelivered `maxRedeliveries` times. */
  exhausted(incoming: IncomingNotification): boolean;
  /** Waits before the requeue, longer with every redelivery, and counts it. */
  wait(incomings: readonly IncomingNotification[]): Promise<void>;
  /** Dead-letters or drops a message past the limit. */
  giveUp(incoming: IncomingNotification, error: unknown): Promise<NotificationOutcome>;
  /** Stops counting a message that was settled. */
  forget(incoming: IncomingNotification): void;
}

function redeliveryOf(config: Pick<DispatchNotificationsConfig, 'maxRedeliveries' | 'redeliveryDelay' | 'maxRedeliveryDelay' | 'deadLetter' | 'scheduler'>): Redelivery {
  const { maxRedeliveries = 5, redeliveryDelay = 100, maxRedeliveryDelay = 30_000, deadLetter = true, scheduler = asyncScheduler } = config;
  checkOption('dispatchNotifications', 'maxRedeliveries', maxRedeliveries, integerFrom(0));
  checkOption('dispatchNotifications', 'redeliveryDelay', redeliveryDelay, nonNegativeNumber);
  checkOption('dispatchNotifications', 'maxRedeliveryDelay', maxRedeliveryDelay, nonNegativeNumber);
  // Requeues this process made, for transports that only say `redelivered`; insertion order makes the first key the oldest.
  const counted = new Map<string, number>();
  const countOf = (incoming: IncomingNotification) => incoming.deliveryCount ?? counted.get(incoming.messageId) ?? 0;
  return {
    exhausted: (incoming) => countOf(incoming) >= maxRedeliveries,
    async wait(incomings) {
      let count = 0;
      for (const incoming of incomings) {
        const next = countOf(incoming) + 1;
        count = Math.max(count, next);
        counted.delete(incoming.messageId);
        counted.set(incoming.messageId, next);
        if (counted.size > COUNTED_IDS) counted.delete(counted.keys().next().value as string);
      }
      const ms = Math.min(redeliveryDelay * 2 ** (count - 1), maxRedeliveryDelay);
      if (ms > 0) await new Promise<void>((resolve) => scheduler.schedule(() => resolve(), ms));
    },
    async giveUp(incoming, error) {
      counted.delete(incoming.messageId);
      const fields = { messageId: incoming.messageId, eventType: incoming.eventType, priority: incoming.priority, redeliveries: countOf(incoming), error: String(error) };
      const action = deadLetter && incoming.deadLetter ? 'dead-letter' : 'ack';
      try {
        if (action === 'dead-letter') await incoming.deadLetter?.();
        else await incoming.ack();
      } catch (refused) {
        log.error(`could not ${action} a notification`, { messageId: incoming.messageId, error: String(refused) });
        return outcomeOf(incoming, 'failed', 'poison', refused);
      }
      if (action === 'dead-letter') log.warn(`moved a notification to its dead-letter queue after ${maxRedeliveries} redeliveries`, fields);
      else log.warn(`dropped a notification after ${maxRedeliveries} redeliveries${deadLetter ? ': the transport has no dead-letter queue' : ''}`, fields);
      return outcomeOf(incoming, action === 'dead-letter' ? 'dead-lettered' : 'acked', 'poison', error);
    },
    // Most messages were never requeued: with nothing counted, no id to hash.
    forget: (incoming) => void (counted.size && counted.delete(incoming.messageId)),
  };
}

function outcomeOf(incoming: IncomingNotification, settled: NotificationOutcome['settled'], reason: NotificationOutcome['reason'], error: unknown): NotificationOutcome {
  // Every message ends here: the outcome is written field by field, as object spreads are slow on this path.
  const outcome: { -readonly [K in keyof NotificationOutcome]: NotificationOutcome[K] } = {
    messageId: incoming.messageId,
    eventType: incoming.eventType,
    priority: incoming.priority,
    settled,
    reason,
  };
  if (reason === 'error' || reason === 'poison' || settled === 'failed') outcome.error = error;
  return outcome;
}

/** The message endpoints see: the serializer's view of the context and payload. */
function toMessage(notification: Notification, serializer: Serializer): NotificationMessage {
  const context = serializer.deserializeContext({ ...notification.context });
  return {
    context,
    publisherId: notification.publisherId,
    eventType: notification.eventType,
    priority: notification.priority,
    payload: serializer.deserializeEntity(context, notification.payload),
    metadata: notificationMetadata(notification),
  };
}

/** Runs one handler through the executor and resolves to its last value (what it asked for); a thrown error rejects. */
function invokeHandler(
  executor: Executor,
  callback: Callback<(...params: never[]) => HandlerOutcome>,
  method: Priority,
  params: readonly unknown[],
  context: Context,
): Promise<unknown> {
  const local = () => handlerResult((callback.handler as (...args: readonly unknown[]) => HandlerOutcome)(...params));
  return lastValueFrom(executor.run({ endpoint: callback.endpoint, method, params, context }, local), { defaultValue: undefined });
}
