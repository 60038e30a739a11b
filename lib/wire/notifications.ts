/**
 * Notifications as oslo.messaging writes them: `message_id`, `publisher_id`,
 * `event_type`, an upper-case `priority`, `payload`, `timestamp` and the context keys.
 */
import { MalformedMessage } from '../core/errors.js';
import { parsePriority } from '../core/priority.js';
import type { IncomingNotification, Notification } from '../driver/notifications.js';
import { contextFromWire, contextToWire, optionalString, type Dict } from './envelope.js';

/**
 * The body of a notification, as oslo sends it: snake_case keys, an upper-case priority, the context keys.
 *
 * @example
 * ```ts
 * const bytes = encodeBody(defaultCodec, notificationToWire(notification, hexId()), options?.version !== 1);
 * ```
 */
export function notificationToWire(notification: Notification, uniqueId: string): Dict {
  return {
    message_id: notification.messageId,
    publisher_id: notification.publisherId,
    event_type: notification.eventType,
    priority: notification.priority.toUpperCase(),
    payload: notification.payload,
    timestamp: notification.timestamp,
    _unique_id: uniqueId,
    ...contextToWire(notification.context),
  };
}

/**
 * Reads a notification, with its `_unique_id` when it has one; throws `MalformedMessage` saying
 * what is missing or wrong.
 *
 * @example
 * ```ts
 * const notification = notificationFromWire(decodeBody(defaultCodec, bytes));
 * ```
 */
export function notificationFromWire(body: Dict): Notification & { uniqueId?: string } {
  const { message_id: messageId, publisher_id: publisherId, event_type: eventType, priority, payload = null, timestamp, _unique_id: uniqueId } = body;
  // Checked one by one: this runs for every notification received.
  if (typeof messageId !== 'string') throw new MalformedMessage("a notification has no 'message_id' string");
  if (typeof eventType !== 'string') throw new MalformedMessage("a notification has no 'event_type' string");
  if (typeof timestamp !== 'string') throw new MalformedMessage("a notification has no 'timestamp' string");
  const parsed = parsePriority(priority);
  if (!parsed) throw new MalformedMessage(`a notification's priority ${JSON.stringify(priority)} is not one of audit, debug, info, warn, error, critical, sample`);
  optionalString(uniqueId, '_unique_id');
  const notification: Notification & { uniqueId?: string } = {
    messageId,
    publisherId: publisherId == null ? '' : String(publisherId),
    eventType,
    priority: parsed,
    payload,
    timestamp,
    context: contextFromWire(body),
  };
  if (uniqueId != null) notification.uniqueId = uniqueId as string;
  return notification;
}

/** What a driver knows of a notification it received, beside its body: how it came and how it is settled. @internal */
export type NotificationSettlement = Pick<IncomingNotification, 'redelivered' | 'ack' | 'requeue' | 'deliveryCount' | 'deadLetter'>;

/**
 * A received notification's body as the contract's `IncomingNotification`, settled by what the
 * driver gives; throws `MalformedMessage` as `notificationFromWire` does. Every driver builds
 * its incoming notifications here, field by field: an object spread per message is slow on Node 20.
 * @internal
 */
export function incomingNotificationFromWire(body: Dict, settlement: NotificationSettlement): IncomingNotification {
  const notification = notificationFromWire(body);
  const incoming: { -readonly [K in keyof IncomingNotification]: IncomingNotification[K] } = {
    messageId: notification.messageId,
    publisherId: notification.publisherId,
    eventType: notification.eventType,
    priority: notification.priority,
    payload: notification.payload,
    timestamp: notification.timestamp,
    context: notification.context,
    redelivered: settlement.redelivered,
    ack: settlement.ack,
    requeue: settlement.requeue,
  };
  if (notification.uniqueId !== undefined) incoming.uniqueId = notification.uniqueId;
  if (settlement.deliveryCount !== undefined) incoming.deliveryCount = settlement.deliveryCount;
  if (settlement.deadLetter) incoming.deadLetter = settlement.deadLetter;
  return incoming;
}
