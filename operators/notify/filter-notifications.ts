/**
 * oslo's `NotificationFilter` and the operator that applies one: regular expressions on the
 * context, publisher id, event type, metadata and payload of a notification. Each pattern must
 * match at the start of its value, as Python's `re.match` does; a missing key or a value that is
 * not a string fails the filter. The one place where filters are compiled and matched: listeners
 * and endpoints' `filterRule`s use it too.
 */
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { Context } from '../../lib/core/context.js';
import { InvalidNotificationFilter } from '../../lib/core/errors.js';
import { getLogger } from '../../lib/core/logger.js';
import type { IncomingNotification, Notification } from '../../lib/driver/notifications.js';

/** oslo's metadata argument, with its key names. */
export interface NotificationMetadata {
  /** The notification's `messageId`. */
  readonly message_id: string;
  /** When it was sent, as oslo writes it: "2026-11-22 05:25:21.387733". */
  readonly timestamp: string;
}

/** A pattern: a JavaScript `RegExp`, or its source text. Either is matched from the value's start. */
export type FilterPattern = string | RegExp;

/** What to match; fields left out are not checked. */
export interface NotificationFilterRule {
  /** Patterns on context keys. */
  readonly context?: Readonly<Record<string, FilterPattern>>;
  readonly publisherId?: FilterPattern;
  readonly eventType?: FilterPattern;
  /** Keys `message_id` and `timestamp`. */
  readonly metadata?: Readonly<Partial<Record<keyof NotificationMetadata, FilterPattern>>>;
  /** Patterns on top-level payload keys. */
  readonly payload?: Readonly<Record<string, FilterPattern>>;
}

/** The parts of a notification a filter looks at. */
export interface FilterSubject {
  readonly context: Context;
  readonly publisherId: string;
  readonly eventType: string;
  readonly metadata: NotificationMetadata;
  readonly payload: unknown;
}

/** A compiled filter rule. */
export interface NotificationFilter {
  /** The rule it was compiled from. */
  readonly rule: NotificationFilterRule;
  /** True when every pattern of the rule matches. */
  match(subject: FilterSubject): boolean;
}

type Check = (subject: FilterSubject) => boolean;

/**
 * Compiles a rule; throws `InvalidNotificationFilter` naming the field of a bad pattern.
 *
 * @example
 * ```ts
 * const activeInstances = notificationFilter({ eventType: 'compute\\.instance\\.', payload: { state: '^active$' } });
 * notificationListener(transport, [{ topic: 'notifications' }], [{ info: record, filterRule: activeInstances }]);
 * ```
 */
export function notificationFilter(rule: NotificationFilterRule): NotificationFilter {
  const checks: Check[] = [];
  if (rule.publisherId !== undefined) {
    const re = anchored(rule.publisherId, 'publisherId');
    checks.push((s) => matches(re, s.publisherId));
  }
  if (rule.eventType !== undefined) {
    const re = anchored(rule.eventType, 'eventType');
    checks.push((s) => matches(re, s.eventType));
  }
  checks.push(...keyChecks(rule.context, 'context', (s) => s.context));
  checks.push(...keyChecks(rule.metadata, 'metadata', (s) => s.metadata));
  checks.push(...keyChecks(rule.payload, 'payload', (s) => s.payload));
  return { rule, match: (subject) => checks.every((check) => check(subject)) };
}

/** A filter as given to a listener or operator: compiled already, or a rule to compile. @internal */
export function toNotificationFilter(filter: NotificationFilter | NotificationFilterRule): NotificationFilter {
  return typeof (filter as NotificationFilter).match === 'function' ? (filter as NotificationFilter) : notificationFilter(filter as NotificationFilterRule);
}

function keyChecks(patterns: Readonly<Record<string, FilterPattern | undefined>> | undefined, field: string, pick: (s: FilterSubject) => unknown): Check[] {
  return Object.entries(patterns ?? {}).flatMap(([key, pattern]) => {
    if (pattern === undefined) return [];
    const re = anchored(pattern, `${field}.${key}`);
    return [
      (s: FilterSubject) => {
        const dict = pick(s);
        // Only an object's own keys count: a payload that is not an object has none of them.
        if (typeof dict !== 'object' || dict === null || !Object.hasOwn(dict, key)) return false;
        return matches(re, (dict as Record<string, unknown>)[key]);
      },
    ];
  });
}

function matches(re: RegExp, value: unknown): boolean {
  if (typeof value !== 'string') return false;
  re.lastIndex = 0;
  return re.test(value);
}

/** The sticky flag pins a match to `lastIndex` 0: every alternative is anchored at the start, like `re.match`. */
function anchored(pattern: FilterPattern, field: string): RegExp {
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  const flags = typeof pattern === 'string' ? '' : pattern.flags.replace(/[gy]/g, '');
  try {
    return new RegExp(source, `${flags}y`);
  } catch (error) {
    throw new InvalidNotificationFilter(field, source, { cause: error });
  }
}

/** The metadata of a notification as handlers and filters see it. @internal */
export function notificationMetadata(notification: Notification): NotificationMetadata {
  return { message_id: notification.messageId, timestamp: notification.timestamp };
}

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
