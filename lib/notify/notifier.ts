/**
 * `notifier`: publishes notifications at oslo's seven priorities through one or more drivers
 * chosen by value. Each message is built once (uuid `messageId`, oslo's timestamp, the context
 * cut down to oslo's safe keys) and handed to every driver.
 *
 * A failing driver never throws into the code that notified: the failure is logged, counted and
 * emitted on `failures$`, unless `raiseOnError` asks for the Promise to reject.
 */
import { Subject, type Observable } from 'rxjs';
import type { Context } from '../core/context.js';
import type { Notification } from '../driver/notifications.js';
import { NotificationPublishFailure, type NotifierFailure } from '../core/errors.js';
import { uuid } from '../core/ids.js';
import { getLogger } from '../core/logger.js';
import { sanitizeContext } from './context.js';
import type { NotifierDriver, NotifierRoute } from './notifier-drivers/driver.js';
import { messagingV2Driver } from './notifier-drivers/messaging.js';
import { osloTimestamp } from './timestamp.js';
import type { Priority } from '../core/priority.js';
import { noopSerializer, type Serializer } from '../core/serializer.js';
import { assertTargetFor, target as makeTarget } from '../core/target.js';
import type { Transport } from '../transport.js';

/** Who a notifier publishes as, where, and through which drivers. */
export interface NotifierOptions {
  /** Who publishes, e.g. 'compute.host-1'. */
  readonly publisherId: string;
  /** Topics to publish on (default ['notifications']); a message is routed to `<topic>.<priority>`. */
  readonly topics?: readonly string[];
  /** Connection retries per send: undefined or -1 forever (oslo's default), 0 none, N retries. */
  readonly retry?: number;
  /** Turns payloads and the context to wire values (default `noopSerializer`). */
  readonly serializer?: Serializer;
  /** One driver or several (default `messagingV2Driver()`); an empty list sends nothing. */
  readonly driver?: NotifierDriver | readonly NotifierDriver[];
  /** Reject the Promise of a send when a driver failed (default false: report only). */
  readonly raiseOnError?: boolean;
}

/** Sends `payload` as an `eventType` notification at one priority; resolves once every driver has finished. */
export type NotifierSend = (eventType: string, payload: unknown, context?: Context) => Promise<void>;

/**
 * Publishes notifications: one method per priority (`info`, `error`, ...) taking the event type,
 * the payload and an optional request context.
 */
export interface Notifier {
  readonly publisherId: string;
  /** Every notification goes to each of these. */
  readonly drivers: readonly NotifierDriver[];
  /** Every driver failure of this notifier and those prepared from it, as it happens. */
  readonly failures$: Observable<NotifierFailure>;
  /** How many driver failures there were so far (shared with prepared notifiers). */
  readonly failureCount: number;
  /** Sends at priority `audit`. */
  readonly audit: NotifierSend;
  /** Sends at priority `debug`. */
  readonly debug: NotifierSend;
  /** Sends at priority `info`. */
  readonly info: NotifierSend;
  /** Sends at priority `warn`. */
  readonly warn: NotifierSend;
  /** Sends at priority `error`. */
  readonly error: NotifierSend;
  /** Sends at priority `critical`. */
  readonly critical: NotifierSend;
  /** For frequent, small measurements ("cpu = 70%"). */
  readonly sample: NotifierSend;
  /** Sends at `priority`; resolves once every driver has finished. */
  notify(priority: Priority, eventType: string, payload: unknown, context?: Context): Promise<void>;
  /** A notifier with another publisher id or retry, sharing this one's drivers and failure reports. */
  prepare(overrides: { readonly publisherId?: string; readonly retry?: number }): Notifier;
  /** False when no driver would send anything (only `noopDriver()`, or none). */
  isEnabled(): boolean;
}

const log = getLogger('rx-messaging.notifier');

/** What a notifier and the notifiers prepared from it share. */
interface Shared {
  readonly route: NotifierRoute;
  readonly drivers: readonly NotifierDriver[];
  readonly serializer: Serializer;
  readonly raiseOnError: boolean;
  readonly failures: Subject<NotifierFailure>;
  failureCount: number;
}

/**
 * A notifier publishing as `publisherId` on `topics` (default ['notifications']) of `transport`,
 * through `driver` (default `messagingV2Driver()`).
 *
 * @example
 * ```ts
 * const n = notifier(transport, { publisherId: 'compute.host-1' });
 * await n.info('compute.instance.create.end', { instance_id: 'abc' }, { request_id: 'req-1' });
 * const other = n.prepare({ publisherId: 'compute.host-2' });   // shares the drivers
 * ```
 */
export function notifier(transport: Transport, options: NotifierOptions): Notifier {
  const { publisherId, topics = ['notifications'], retry, serializer = noopSerializer, driver = messagingV2Driver(), raiseOnError = false } = options;
  if (typeof publisherId !== 'string') throw new TypeError('a notifier needs a publisherId string');
  const targets = topics.map((topic) => {
    const t = makeTarget({ topic });
    assertTargetFor('notifier', t);
    return t;
  });
  const drivers = Array.isArray(driver) ? [...(driver as readonly NotifierDriver[])] : [driver as NotifierDriver];
  const shared: Shared = { route: { transport, topics: targets }, drivers, serializer, raiseOnError, failures: new Subject(), failureCount: 0 };
  return build(shared, publisherId, retry);
}

function build(shared: Shared, publisherId: string, retry: number | undefined): Notifier {
  async function notify(priority: Priority, eventType: string, payload: unknown, context: Context = {}): Promise<void> {
    const notification: Notification = {
      messageId: uuid(),
      publisherId,
      eventType,
      priority,
      // As oslo: the payload is serialized with the caller's context, the context after sanitizing.
      payload: shared.serializer.serializeEntity(context, payload),
      timestamp: osloTimestamp(),
      context: shared.serializer.serializeContext(sanitizeContext(context)),
    };
    const results = await Promise.allSettled(shared.drivers.map((d) => d.notify(notification, retry, shared.route)));
    const failures = results.flatMap((result, i): NotifierFailure[] =>
      result.status === 'rejected' ? [{ driver: shared.drivers[i]?.name ?? '?', messageId: notification.messageId, eventType, priority, error: result.reason }] : [],
    );
    for (const failure of failures) {
      shared.failureCount++;
      log.error(`could not send a notification through the ${failure.driver} driver`, { messageId: failure.messageId, eventType, priority, error: String(failure.error) });
      shared.failures.next(failure);
    }
    if (failures.length && shared.raiseOnError) throw new NotificationPublishFailure(failures);
  }
  const at =
    (priority: Priority): NotifierSend =>
    (eventType, payload, context) =>
      notify(priority, eventType, payload, context);
  return {
    publisherId,
    drivers: shared.drivers,
    failures$: shared.failures.asObservable(),
    get failureCount() {
      return shared.failureCount;
    },
    audit: at('audit'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    critical: at('critical'),
    sample: at('sample'),
    notify,
    prepare: (overrides) => build(shared, overrides.publisherId ?? publisherId, 'retry' in overrides ? overrides.retry : retry),
    isEnabled: () => shared.drivers.some((d) => d.enabled),
  };
}
