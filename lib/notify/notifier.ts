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
import { checkPayload } from '../../operators/notify/check-payload.js';
import type { NotificationContract, PayloadsOf } from './contract.js';
import { anything, arrayOf, checkOptions, integerFrom, isBoolean, isSerializer, isString, objectWith } from '../core/check-options.js';
import { uuid } from '../core/ids.js';
import { getLogger } from '../core/logger.js';
import { sanitizeContext } from './context.js';
import type { NotifierDriver, NotifierRoute } from './notifier-drivers/driver.js';
import { messagingV2Driver } from './notifier-drivers/messaging.js';
import { rejectionsOf } from './notifier-drivers/rejections.js';
import { osloTimestamp } from './timestamp.js';
import type { Priority } from '../core/priority.js';
import { noopSerializer, type Serializer } from '../core/serializer.js';
import { assertTargetFor, target as makeTarget } from '../core/target.js';
import { driverNameOf, type Transport } from '../transport.js';
import { endingWith, sendSpan, withTraceContext, type MessageSpan } from '../core/tracing.js';

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
  /** Payload schemas by event type (`notificationContract()`): types the sends, and a send whose payload fails is refused with `InvalidPayload`, nothing sent. */
  readonly contract?: NotificationContract;
}

/** Event types to their payloads; untyped, any event with any payload. */
export type NotifierEvents = { readonly [eventType: string]: unknown };

/** The payload of an `E` event: its contract's type, or any value for an event type the contract does not name. */
export type PayloadOf<Events, E extends string> = E extends keyof Events ? Events[E] : unknown;

/** Sends `payload` as an `eventType` notification at one priority; resolves once every driver has finished. */
export type NotifierSend<Events = NotifierEvents> = <E extends string>(eventType: E, payload: PayloadOf<Events, E>, context?: Context) => Promise<void>;

/**
 * Publishes notifications: one method per priority (`info`, `error`, ...) taking the event type,
 * the payload and an optional request context. `Events` (from a notification contract) types the
 * payload of each event type it names.
 */
export interface Notifier<Events = NotifierEvents> {
  readonly publisherId: string;
  /** Every notification goes to each of these. */
  readonly drivers: readonly NotifierDriver[];
  /** Every driver failure of this notifier and those prepared from it, as it happens. */
  readonly failures$: Observable<NotifierFailure>;
  /** How many driver failures there were so far (shared with prepared notifiers). */
  readonly failureCount: number;
  /** Sends at priority `audit`. */
  readonly audit: NotifierSend<Events>;
  /** Sends at priority `debug`. */
  readonly debug: NotifierSend<Events>;
  /** Sends at priority `info`. */
  readonly info: NotifierSend<Events>;
  /** Sends at priority `warn`. */
  readonly warn: NotifierSend<Events>;
  /** Sends at priority `error`. */
  readonly error: NotifierSend<Events>;
  /** Sends at priority `critical`. */
  readonly critical: NotifierSend<Events>;
  /** For frequent, small measurements ("cpu = 70%"). */
  readonly sample: NotifierSend<Events>;
  /** Sends at `priority`; resolves once every driver has finished. */
  notify<E extends string>(priority: Priority, eventType: E, payload: PayloadOf<Events, E>, context?: Context): Promise<void>;
  /** A notifier with another publisher id or retry, sharing this one's drivers and failure reports. */
  prepare(overrides: { readonly publisherId?: string; readonly retry?: number }): Notifier<Events>;
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
  readonly contract: NotificationContract | undefined;
  readonly failures: Subject<NotifierFailure>;
  failureCount: number;
}

const NOTIFIER_OPTIONS = {
  publisherId: isString,
  topics: arrayOf('an array of topic names', isString),
  retry: integerFrom(-1),
  serializer: isSerializer,
  // A notifier driver or an array of them: what each is, the notifier finds out when it sends through it.
  driver: anything,
  raiseOnError: isBoolean,
  contract: objectWith('a notification contract made by notificationContract()'),
} satisfies Record<keyof NotifierOptions, unknown>;

/**
 * A notifier publishing as `publisherId` on `topics` (default ['notifications']) of `transport`,
 * through `driver` (default `messagingV2Driver()`). With a `contract` (`notificationContract()`),
 * each event type it names takes the payload its schema accepts.
 *
 * @example
 * ```ts
 * const n = notifier(transport, { publisherId: 'compute.host-1' });
 * await n.info('compute.instance.create.end', { instance_id: 'abc' }, { request_id: 'req-1' });
 * const other = n.prepare({ publisherId: 'compute.host-2' });   // shares the drivers
 * ```
 */
export function notifier<C extends NotificationContract>(transport: Transport, options: NotifierOptions & { readonly contract: C }): Notifier<PayloadsOf<C>>;
export function notifier(transport: Transport, options: NotifierOptions): Notifier;
export function notifier(transport: Transport, options: NotifierOptions): Notifier {
  const { publisherId, topics = ['notifications'], retry, serializer = noopSerializer, driver = messagingV2Driver(), raiseOnError = false } = options;
  if (typeof publisherId !== 'string') throw new TypeError('a notifier needs a publisherId string');
  checkOptions('notifier', options, NOTIFIER_OPTIONS);
  const targets = topics.map((topic) => {
    const t = makeTarget({ topic });
    assertTargetFor('notifier', t);
    return t;
  });
  const drivers = Array.isArray(driver) ? [...(driver as readonly NotifierDriver[])] : [driver as NotifierDriver];
  const shared: Shared = { route: { transport, topics: targets }, drivers, serializer, raiseOnError, contract: options.contract, failures: new Subject(), failureCount: 0 };
  return build(shared, publisherId, retry);
}

function build(shared: Shared, publisherId: string, retry: number | undefined): Notifier {
  // Not async: `send` is, and a second async layer would cost every notification a Promise and its hops.
  function notify(priority: Priority, eventType: string, payload: unknown, context: Context = {}): Promise<void> {
    const messageId = uuid();
    const { route } = shared;
    let span: MessageSpan | undefined;
    try {
      // Started here, while the caller's span is the active one.
      span = sendSpan(() => ({ driver: driverNameOf(route.transport), destination: route.topics.map((t) => `${t.topic}.${priority}`).join(','), messageId }));
    } catch (error) {
      return Promise.reject(error);
    }
    return span ? endingWith(span, send(priority, eventType, payload, context, messageId, span)) : send(priority, eventType, payload, context, messageId, span);
  }
  async function send(priority: Priority, eventType: string, payload: unknown, context: Context, messageId: string, span: MessageSpan | undefined): Promise<void> {
    if (shared.contract) {
      const checked = await checkPayload(shared.contract, eventType, payload);
      if (!('value' in checked)) throw checked;
    }
    const notification: Notification = {
      messageId,
      publisherId,
      eventType,
      priority,
      // As oslo: the payload is serialized with the caller's context, the context after sanitizing.
      payload: shared.serializer.serializeEntity(context, payload),
      timestamp: osloTimestamp(),
      context: withTraceContext(shared.serializer.serializeContext(sanitizeContext(context)), span),
    };
    const rejections = await rejectionsOf(shared.drivers.map((d) => d.notify(notification, retry, shared.route)));
    if (rejections.length === 0) return;
    const failures = rejections.map(
      ({ index, reason }): NotifierFailure => ({ driver: shared.drivers[index]?.name ?? '?', messageId: notification.messageId, eventType, priority, error: reason }),
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
