/**
 * What notification listeners share: endpoint shapes, the handler's result, the message as a
 * handler sees it (deserialized, with oslo's metadata) and the invocation of one handler
 * through the executor.
 */
import { lastValueFrom, type ObservableInput } from 'rxjs';
import type { Context } from '../core/context.js';
import type { IncomingNotification, Notification } from '../driver/notifications.js';
import { handlerResult, type Executor } from '../executors/executor.js';
import { getLogger } from '../core/logger.js';
import { notificationMetadata, toNotificationFilter, type NotificationFilter, type NotificationFilterRule, type NotificationMetadata } from '../../operators/notify/filter-notifications.js';
import type { DuplicateDetector } from './duplicates.js';
import { PRIORITIES, type Priority } from '../core/priority.js';
import type { Serializer } from '../core/serializer.js';

/** What a handler returns: `REQUEUE` asks for another delivery; anything else (or nothing) means handled. */
export const NotificationResult = { HANDLED: 'handled', REQUEUE: 'requeue' } as const;
export type NotificationResult = (typeof NotificationResult)[keyof typeof NotificationResult];

/** A handler's return: a result, nothing, or a Promise or Observable of either (its last value counts). */
export type HandlerOutcome = NotificationResult | void | PromiseLike<NotificationResult | void> | ObservableInput<NotificationResult | void>;

/** Endpoint methods are named after priorities; `filterRule` screens what the endpoint receives. */
export type EndpointOf<H> = { readonly [P in Priority]?: H } & {
  readonly filterRule?: NotificationFilter | NotificationFilterRule;
};

/** A notification as handed to endpoints: context and payload deserialized. */
export interface NotificationMessage {
  readonly context: Context;
  readonly publisherId: string;
  readonly eventType: string;
  readonly priority: Priority;
  readonly payload: unknown;
  readonly metadata: NotificationMetadata;
}

/** What a listener did with one message, on its `outcomes$`. */
export interface NotificationOutcome {
  readonly messageId: string;
  readonly eventType: string;
  readonly priority: Priority;
  /** `failed` when the broker refused the ack or requeue (it will redeliver the message). */
  readonly settled: 'acked' | 'requeued' | 'failed';
  /**
   * Why: the endpoints handled it (or none wanted it), the listener's filter dropped it, it was a
   * duplicate, a handler asked for a requeue, or a handler (or the serializer) threw.
   */
  readonly reason: 'handled' | 'filtered' | 'duplicate' | 'requeue' | 'error';
  readonly error?: unknown;
}

/** One endpoint method able to handle a priority, in endpoint order. */
export interface Callback<H> {
  /** Index of the endpoint in the list, for the executor. */
  readonly endpoint: number;
  readonly handler: H;
  readonly filter?: NotificationFilter;
}

/**
 * The methods of `endpoints` by priority. Throws a `TypeError` when no endpoint handles any
 * priority, since such a listener would subscribe to nothing.
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

/** The message endpoints see: the serializer's view of the context and payload. */
export function toMessage(notification: Notification, serializer: Serializer): NotificationMessage {
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

/**
 * Runs one handler through the executor and resolves to what it asked for. A thrown error
 * rejects; the listener turns that into a requeue, as oslo does.
 */
export async function invokeHandler(executor: Executor, callback: Callback<(...params: never[]) => HandlerOutcome>, method: Priority, params: readonly unknown[], context: Context): Promise<NotificationResult> {
  const local = () => handlerResult((callback.handler as (...args: readonly unknown[]) => HandlerOutcome)(...params));
  const value = await lastValueFrom(executor.run({ endpoint: callback.endpoint, method, params, context }, local), { defaultValue: undefined });
  return value === NotificationResult.REQUEUE ? NotificationResult.REQUEUE : NotificationResult.HANDLED;
}

const log = getLogger('rx-messaging.notification-listener');

/**
 * Acks the message, or requeues it when `requeue`, and says how that went. An acked message's
 * `_unique_id` is remembered, so a redelivered copy is recognised as a duplicate.
 */
export function settleNotification(
  incoming: IncomingNotification,
  requeue: boolean,
  why: Pick<NotificationOutcome, 'reason' | 'error'>,
  duplicates: DuplicateDetector,
): Promise<NotificationOutcome> {
  // Every message ends here: the outcome is written field by field, as object spreads are slow on this path.
  const outcome = (settled: NotificationOutcome['settled']) => {
    const facts: { -readonly [K in keyof NotificationOutcome]: NotificationOutcome[K] } = { messageId: incoming.messageId, eventType: incoming.eventType, priority: incoming.priority, settled, reason: why.reason };
    if ('error' in why) facts.error = why.error;
    return facts;
  };
  const failed = (error: unknown): NotificationOutcome => {
    // The broker redelivers what it did not see settled, so the listener carries on.
    log.error(`could not ${requeue ? 'requeue' : 'ack'} a notification`, { messageId: incoming.messageId, error: String(error) });
    const facts = outcome('failed');
    facts.error = error;
    return facts;
  };
  let settling: Promise<void>;
  try {
    settling = requeue ? incoming.requeue() : incoming.ack();
  } catch (error) {
    return Promise.resolve(failed(error));
  }
  if (requeue) return settling.then(() => outcome('requeued'), failed);
  return settling.then(() => {
    duplicates.remember(incoming.uniqueId);
    return outcome('acked');
  }, failed);
}

/** What a listener screens every message with before any endpoint sees it. */
export interface Screening {
  readonly serializer: Serializer;
  /** The listener's own filter, if any: a message it rejects is acked. */
  readonly screen: NotificationFilter | undefined;
  readonly duplicates: DuplicateDetector;
  /** Whether a message that cannot be deserialized is requeued rather than acked. */
  readonly allowRequeue: boolean;
}

/**
 * The message endpoints will see or, when it never reaches them, the outcome of settling it at
 * once: a duplicate or a filtered message is acked, an unreadable one acked or requeued. A
 * message that passes is returned as it is, not in a Promise: most messages pass.
 */
export function screenNotification(incoming: IncomingNotification, { serializer, screen, duplicates, allowRequeue }: Screening): NotificationMessage | Promise<NotificationOutcome> {
  if (duplicates.seen(incoming.uniqueId)) {
    log.debug('dropping a duplicate notification', { messageId: incoming.messageId, uniqueId: incoming.uniqueId });
    return settleNotification(incoming, false, { reason: 'duplicate' }, duplicates);
  }
  let message: NotificationMessage;
  try {
    message = toMessage(incoming, serializer);
  } catch (error) {
    log.error('could not deserialize a notification', { messageId: incoming.messageId, error: String(error) });
    return settleNotification(incoming, allowRequeue, { reason: 'error', error }, duplicates);
  }
  if (screen && !screen.match(message)) return settleNotification(incoming, false, { reason: 'filtered' }, duplicates);
  return message;
}

/** Whether screening settled the message instead of passing it on. */
export function isSettled(screened: NotificationMessage | Promise<NotificationOutcome>): screened is Promise<NotificationOutcome> {
  return screened instanceof Promise;
}

/**
 * Runs the endpoints of a priority in endpoint order; oslo stops at the first that asks for a
 * requeue. `paramsFor` gives a callback's arguments, or undefined to skip it (its filter let
 * nothing through).
 */
export async function runEndpoints<H extends (...params: never[]) => HandlerOutcome>(
  executor: Executor,
  callbacks: readonly Callback<H>[],
  priority: Priority,
  context: Context,
  paramsFor: (callback: Callback<H>) => readonly unknown[] | undefined,
): Promise<NotificationResult> {
  for (const callback of callbacks) {
    const params = paramsFor(callback);
    if (params === undefined) continue;
    if ((await invokeHandler(executor, callback, priority, params, context)) === NotificationResult.REQUEUE) return NotificationResult.REQUEUE;
  }
  return NotificationResult.HANDLED;
}
