/**
 * Notifications as oslo.messaging writes them: `message_id`, `publisher_id`,
 * `event_type`, an upper-case `priority`, `payload`, `timestamp` and the context keys.
 */
import { MalformedMessage } from '../core/errors.js';
import { parsePriority } from '../core/priority.js';
import type { Notification } from '../driver/notifications.js';
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
