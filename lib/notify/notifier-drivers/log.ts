/**
 * oslo's `log` driver: writes each notification through the project's logger instead of
 * sending it. The logger is named `oslo.messaging.notification.<event_type>` and the record's
 * message is the notification as oslo's JSON body, secrets masked.
 */
import { getLogger, type LogLevel } from '../../core/logger.js';
import type { Priority } from '../../core/priority.js';
import type { NotifierDriver } from './driver.js';
import { maskSecrets } from './mask.js';

/** oslo logs only where Python has a level of that name; here every priority gets the nearest level. */
const LEVELS: Record<Priority, LogLevel> = {
  audit: 'info',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  critical: 'error',
  sample: 'debug',
};

/**
 * oslo's `log` driver: each notification is logged (secrets masked) instead of sent.
 *
 * @example
 * ```ts
 * notifier(transport, { publisherId: 'api', driver: logDriver() });
 * ```
 */
export function logDriver(): NotifierDriver {
  return {
    name: 'log',
    enabled: true,
    async notify({ messageId, publisherId, eventType, priority, payload, timestamp }) {
      // oslo logs the message without its context.
      const body = { message_id: messageId, publisher_id: publisherId, event_type: eventType, priority: priority.toUpperCase(), payload, timestamp };
      getLogger(`oslo.messaging.notification.${eventType}`)[LEVELS[priority]](JSON.stringify(maskSecrets(body)));
    },
  };
}
