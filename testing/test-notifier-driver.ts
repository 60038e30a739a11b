/**
 * oslo's `test` driver, for users' own specs: it records what a notifier sent instead of sending.
 */
import type { Context } from '../lib/core/context.js';
import type { Notification } from '../lib/driver/notifications.js';
import type { Priority } from '../lib/core/priority.js';
import type { NotifierDriver } from '../lib/notify/notifier-drivers/driver.js';

/** oslo's recorded tuple `(ctxt, message, priority, retry)`, as an object. */
export interface RecordedNotification {
  /** The context, after the notifier kept only the safe keys. */
  readonly context: Context;
  /** The notification without its context. */
  readonly message: Omit<Notification, 'context'>;
  readonly priority: Priority;
  /** The notifier's `retry`, as given to the driver. */
  readonly retry: number | undefined;
}

/** A notifier driver that records instead of sending; see `testDriver`. */
export interface TestDriver extends NotifierDriver {
  /** Everything sent since creation or the last `reset()`, oldest first. */
  readonly notifications: readonly RecordedNotification[];
  /** Forgets what was recorded. */
  reset(): void;
}

/**
 * A notifier driver recording every notification it is given, for specs.
 *
 * @example
 * ```ts
 * const sent = testDriver();
 * const n = notifier(transport, { publisherId: 'api', driver: sent });
 * await n.info('volume.create', { id: 1 });
 * assert.is(sent.notifications[0]?.message.eventType, 'volume.create');
 * sent.reset();
 * ```
 */
export function testDriver(): TestDriver {
  let recorded: RecordedNotification[] = [];
  return {
    name: 'test',
    enabled: true,
    get notifications() {
      return recorded;
    },
    reset() {
      recorded = [];
    },
    async notify({ context, ...message }, retry) {
      recorded.push({ context, message, priority: message.priority, retry });
    },
  };
}
