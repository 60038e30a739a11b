/**
 * oslo's `messagingv2` and `messaging` drivers: publish on the transport to every topic of the
 * notifier, routed to `<topic>.<priority>`. v2 wraps the body in oslo's 2.0 envelope; v1 sends it
 * bare, for consumers that predate the envelope.
 */
import { MessageDeliveryFailure } from '../../core/errors.js';
import { describeTarget } from '../../core/target.js';
import { driverOf } from '../../transport.js';
import type { NotifierDriver } from './driver.js';
import { rejectionsOf } from './rejections.js';

/**
 * The default driver: oslo's `messagingv2`, the enveloped message on the notifier's transport.
 *
 * @example
 * ```ts
 * notifier(transport, { publisherId: 'api', driver: [messagingV2Driver(), logDriver()] });
 * ```
 */
export function messagingV2Driver(): NotifierDriver {
  return messagingDriver('messagingv2', 2);
}

/**
 * oslo's `messaging` driver: the message without envelope, for consumers that predate it.
 *
 * @example
 * ```ts
 * notifier(transport, { publisherId: 'api', driver: messagingV1Driver() });
 * ```
 */
export function messagingV1Driver(): NotifierDriver {
  return messagingDriver('messaging', 1);
}

function messagingDriver(name: string, version: 1 | 2): NotifierDriver {
  return {
    name,
    enabled: true,
    async notify(notification, retry, { transport, topics }) {
      // Every topic gets its copy even when another topic fails, as in oslo.
      const rejections = await rejectionsOf(topics.map((t) => driverOf(transport).notify(t, notification, retry === undefined ? { version } : { retry, version })));
      if (rejections.length === 0) return;
      const errors = rejections.map((rejection) => rejection.reason);
      const failed = rejections.map((rejection) => describeTarget(topics[rejection.index]!));
      throw new MessageDeliveryFailure(`could not publish ${notification.eventType} (${notification.priority}) to ${failed.join(', ')}`, {
        cause: errors.length === 1 ? errors[0] : new AggregateError(errors, 'several topics failed'),
      });
    },
  };
}
