/**
 * The notifier driver contract. A notifier builds each message once and hands it to every one of
 * its drivers, chosen by value: `messagingV2Driver()`, `logDriver()`, `testDriver()`, ...
 */
import type { Notification } from '../../driver/notifications.js';
import type { Target } from '../../core/target.js';
import type { Transport } from '../../transport.js';

/** Where a notifier publishes: its transport and its topics (as notifier targets). */
export interface NotifierRoute {
  /** The notifier's transport. */
  readonly transport: Transport;
  /** One target per topic of the notifier. */
  readonly topics: readonly Target[];
}

/**
 * Where a notifier's messages go: onto the transport, into a log, nowhere, or a spec's record.
 *
 * @example
 * ```ts
 * const counting: NotifierDriver = { name: 'count', enabled: true, notify: async ({ eventType }) => void counts.set(eventType, (counts.get(eventType) ?? 0) + 1) };
 * notifier(transport, { publisherId: 'api', driver: [messagingV2Driver(), counting] });
 * ```
 */
export interface NotifierDriver {
  /** oslo's name for the driver ('messagingv2', 'log', ...): in logs and failure reports. */
  readonly name: string;
  /** False for a driver that discards everything: a notifier whose drivers all do is not enabled. */
  readonly enabled: boolean;
  /** Sends one notification; rejects when it could not. `retry`: undefined or -1 forever, 0 none, N retries. */
  notify(notification: Notification, retry: number | undefined, route: NotifierRoute): Promise<void>;
}
