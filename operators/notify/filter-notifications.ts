import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { IncomingNotification } from '../../lib/driver/notifications.js';
import { getLogger } from '../../lib/core/logger.js';
import { notificationMetadata } from '../../lib/notify/endpoint.js';
import { toNotificationFilter, type NotificationFilter, type NotificationFilterRule } from '../../lib/notify/filter.js';

const log = getLogger('rx-messaging.filter-notifications');

/**
 * Passes the notifications that match `filter` (oslo's `NotificationFilter` rules: patterns
 * matched from the start of the context's, payload's and metadata's values, the publisher id
 * and the event type) and acks the others, so what a pipeline drops never comes back.
 *
 * @example
 * notifications$.pipe(filterNotifications({ eventType: '^compute\\.instance\\.', payload: { state: '^active$' } }))
 */
export function filterNotifications<T extends IncomingNotification>(filter: NotificationFilter | NotificationFilterRule): MonoTypeOperatorFunction<T> {
  const compiled = toNotificationFilter(filter);
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next: (notification) => {
          const subject = {
            context: notification.context,
            publisherId: notification.publisherId,
            eventType: notification.eventType,
            payload: notification.payload,
            metadata: notificationMetadata(notification),
          };
          if (compiled.match(subject)) return subscriber.next(notification);
          // A failed ack leaves the message with the broker, which redelivers it to be filtered again.
          notification.ack().catch((error: unknown) => log.error('could not ack a filtered-out notification', { messageId: notification.messageId, error: String(error) }));
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
