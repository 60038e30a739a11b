/**
 * The RabbitMQ driver assembled: two self-healing links (publishing, consuming), the publisher,
 * the reply channel and sender, and the topologies oslo declares, behind the driver contract.
 */
import type { Channel } from 'amqplib';
import { combineLatest, defer, distinctUntilChanged, filter, map, ReplaySubject, Subject, type Observable } from 'rxjs';
import type { Driver, TransportStatus } from '../../lib/driver/driver.js';
import type { IncomingCall } from '../../lib/driver/rpc.js';
import type { IncomingNotification } from '../../lib/driver/notifications.js';
import { defaultCodec, loadMsgpack, type WireCodec } from '../../lib/wire/codec.js';
import { TransportClosed } from '../../lib/core/errors.js';
import { hexId } from '../../lib/core/ids.js';
import { getLogger } from '../../lib/core/logger.js';
import type { TransportUrl } from '../../lib/core/url.js';
import { describeTarget, exchangeName, fanoutExchange, notificationQueue, routingKey } from '../../lib/core/target.js';
import { notificationToWire } from '../../lib/wire/notifications.js';
import { rpcToWire } from '../../lib/wire/rpc.js';
import { createLink, type Link, type LinkStatus } from './connection.js';
import { consume, type ConsumerScope } from './consume.js';
import { toIncomingCall, toIncomingNotification } from './incoming.js';
import { decodable, encodeAndSend } from './message.js';
import type { AmqpOptions } from './options.js';
import { createPublisher } from './publish.js';
import { createDirectReplies, DIRECT_REPLY_TO } from './direct-reply.js';
import { createReplyChannel, createReplySender } from './replies.js';
import { deletesFanoutQueue, notifierTopology, notificationTopology, rpcServerTopology, sendTopology, uniqueQueueId, type Topology } from './topology.js';

const log = getLogger('rx-messaging.amqp');

interface AmqpDriverConfig {
  readonly url: TransportUrl;
  readonly options: AmqpOptions;
  readonly controlExchange: string;
}

/** Opens the publishing connection before resolving; the consuming one opens on first use. @internal */
export async function createAmqpDriver({ url, options, controlExchange }: AmqpDriverConfig): Promise<Driver> {
  // What this transport sends: calls, casts, notifications. Replies use the request's codec.
  const codec: WireCodec = options.codec === 'msgpack' ? await loadMsgpack() : defaultCodec;
  const sending = createLink('send', url, options);
  const listening = createLink('listen', url, options);
  const closing$ = new Subject<void>();
  const cleanups = new Set<Promise<void>>();
  const abort = new AbortController();
  const scope: ConsumerScope = {
    closing$,
    track(cleanup) {
      cleanups.add(cleanup);
      void cleanup.finally(() => cleanups.delete(cleanup));
    },
  };
  const direct = options.rabbit_direct_reply_to ? createDirectReplies(options.rabbit_max_inflated_bytes) : undefined;
  const publisher = createPublisher(sending, { maxSends: options.rabbit_max_pending_sends, maxBytes: options.rabbit_max_pending_bytes }, direct?.attach);
  const replySender = createReplySender(publisher, options, abort.signal);
  const replyChannel = createReplyChannel(listening, scope, options);
  const status$ = combinedStatus([sending, listening]);
  // One topology object per destination, so the publisher finds what it declared by identity.
  const topologies = new Map<string, Topology>();
  const topologyFor = (key: string, build: () => Topology): Topology => {
    let topology = topologies.get(key);
    if (!topology) topologies.set(key, (topology = build()));
    return topology;
  };
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new TransportClosed();
  };
  const consumers = <T>(build: () => Observable<T>): Observable<T> =>
    defer(() => {
      assertOpen();
      return build();
    });

  const driver: Driver = {
    name: 'amqp',
    capabilities: { requeue: true, pools: true, durable: true, undeliverableDetection: true },
    status$,

    send(target, request, { retry, atLeastOnce = false } = {}) {
      if (closed) return Promise.reject(new TransportClosed());
      const exchange = target.fanout ? fanoutExchange(target) : exchangeName(target, controlExchange);
      return encodeAndSend(
        () => rpcToWire(request),
        {
          codec,
          enveloped: true,
          compression: options.kombu_compression,
          expirationMs: request.call?.timeoutMs,
          // oslo's _reply_q stays in the body for Python servers; rx-messaging servers may answer here instead.
          replyTo: request.call && direct ? DIRECT_REPLY_TO : undefined,
        },
        (message) =>
          publisher.publish({
            exchange,
            routingKey: target.fanout ? '' : routingKey(target),
            message,
            mandatory: atLeastOnce,
            topology: topologyFor(`${target.fanout ? 'fanout' : 'topic'}\u0000${exchange}`, () => sendTopology(options, target, controlExchange)),
            retry,
          }),
      );
    },

    async replyChannel() {
      assertOpen();
      const channel = await replyChannel();
      return direct ? direct.wrap(channel) : channel;
    },

    listen(target, { onReady } = {}) {
      return consumers(() => {
        const topology = rpcServerTopology(options, target, controlExchange, uniqueQueueId(options));
        const fanoutQueue = topology.queues.at(-1)?.name as string;
        return consume(listening, scope, {
          description: `RPC server ${describeTarget(target)}`,
          topology,
          prefetch: options.rabbit_qos_prefetch_count,
          ...consumerArguments(options),
          onConsuming: (first) => first && onReady?.(),
          // oslo deletes a server's fanout queue when it stops cleanly (not a shared stream, nor a managed name).
          ...(deletesFanoutQueue(options) && { onStop: (channel: Channel) => channel.deleteQueue(fanoutQueue) }),
        }).pipe(
          decodable(),
          map((delivery) =>
            toIncomingCall(delivery, replySender, options.rabbit_max_inflated_bytes, {
              deadLetterQueues: options.rabbit_dead_letter_queues,
              directReplyTo: options.rabbit_direct_reply_to,
            }),
          ),
          filter((call): call is IncomingCall => call !== undefined),
        );
      });
    },

    notify(target, notification, { retry, version = 2 } = {}) {
      if (closed) return Promise.reject(new TransportClosed());
      const exchange = exchangeName(target, controlExchange);
      const queue = notificationQueue(target, notification.priority);
      return encodeAndSend(
        () => notificationToWire(notification, hexId()),
        { codec, enveloped: version !== 1, compression: options.kombu_compression },
        (message) =>
          publisher.publish({
            exchange,
            routingKey: queue,
            message,
            mandatory: false,
            topology: topologyFor(`notify\u0000${exchange}\u0000${queue}`, () => notifierTopology(options, { target, priority: notification.priority }, controlExchange)),
            retry,
          }),
      );
    },

    listenForNotifications(bindings, { onReady, pool, autoDeletePool = false } = {}) {
      return consumers(() =>
        consume(listening, scope, {
          description: `notification listener${pool === undefined ? '' : ` (pool ${pool})`} on ${[...new Set(bindings.map((b) => notificationQueue(b.target, b.priority)))].join(', ')}`,
          topology: notificationTopology(options, bindings, controlExchange, pool, autoDeletePool),
          prefetch: options.rabbit_qos_prefetch_count,
          ...consumerArguments(options),
          onConsuming: (first) => first && onReady?.(),
        }).pipe(
          decodable(),
          map((delivery) => toIncomingNotification(delivery, options.rabbit_max_inflated_bytes, options.rabbit_dead_letter_queues)),
          filter((notification): notification is IncomingNotification => notification !== undefined),
        ),
      );
    },

    async close() {
      if (closed) return;
      closed = true;
      // Consumers stop first (cancel, delete fanout queues) while their channels still work.
      closing$.next();
      closing$.complete();
      direct?.close();
      abort.abort();
      await Promise.all([...cleanups]);
      await Promise.all([sending.close(), listening.close()]);
      log.debug('closed');
    },
  };

  try {
    await sending.start();
  } catch (error) {
    await driver.close();
    throw error;
  }
  return driver;
}

function consumerArguments(options: AmqpOptions): { consumerArguments?: Record<string, unknown> } {
  return options.enable_cancel_on_failover ? { consumerArguments: { 'x-cancel-on-ha-failover': true } } : {};
}

/** One status for both connections: the worst of those in use, `closed` once the driver is. */
function combinedStatus(links: readonly Link[]): Observable<TransportStatus> {
  // A ReplaySubject still replays 'closed' to whoever subscribes after the end.
  const status$ = new ReplaySubject<TransportStatus>(1);
  status$.next({ state: 'connecting' });
  // A second connection opening while the first is up is no news: 'connected' outranks 'connecting'.
  const rank: Record<LinkStatus['state'], number> = { closed: 4, reconnecting: 3, connected: 2, connecting: 1, idle: 0 };
  combineLatest(links.map((link) => link.status$))
    .pipe(
      map((statuses) => statuses.reduce((worst, status) => (rank[status.state] > rank[worst.state] ? status : worst))),
      filter((status) => status.state !== 'idle'),
      map(({ state, host, error }): TransportStatus => ({ state: state as TransportStatus['state'], ...(host && { host }), ...(error && { error }) })),
      distinctUntilChanged((a, b) => a.state === b.state && a.host === b.host && a.error === b.error),
    )
    .subscribe(status$);
  return status$.asObservable();
}
