/**
 * The memory driver: oslo's fake driver semantics over a process-local broker. Every message
 * body goes through the oslo wire format and is checked and copied as JSON would carry it
 * (wire-copy.ts), so what would break on RabbitMQ breaks here too.
 *
 * Topology, as the AMQP driver builds it: an RPC server consumes its topic queue (shared,
 * round-robin), its server queue and a private queue bound to the topic's fanout exchange.
 * Unlike AMQP, a cast or call to a topic or server queue nobody declared yet is kept until a
 * server comes (call requests only until their timeout), as oslo's fake driver does.
 */
import { Observable, ReplaySubject, Subject } from 'rxjs';
import type { Driver, TransportStatus } from '../../lib/driver/driver.js';
import type { IncomingCall, Reply, ReplyChannel, RpcRequest, SendOptions } from '../../lib/driver/rpc.js';
import type { IncomingNotification, Notification, NotificationBinding, NotificationListenOptions } from '../../lib/driver/notifications.js';
import type { ListenOptions } from '../../lib/driver/listen.js';
import { defaultCodec } from '../../lib/wire/codec.js';
import { MessageDeliveryFailure, MessageUndeliverable, TransportClosed } from '../../lib/core/errors.js';
import { hexId } from '../../lib/core/ids.js';
import { getLogger } from '../../lib/core/logger.js';
import {
  assertTargetFor,
  deadLetterQueue,
  exchangeName,
  fanoutExchange,
  fanoutQueue,
  notificationQueue,
  poolQueue,
  replyQueue,
  routingKey,
  serverQueue,
  topicQueue,
  type Target,
} from '../../lib/core/target.js';
import { decodeBody } from '../../lib/wire/envelope.js';
import { incomingNotificationFromWire, notificationToWire } from '../../lib/wire/notifications.js';
import { replyFromWire, replyToWire, rpcFromWire, rpcToWire } from '../../lib/wire/rpc.js';
import { acquireBroker, bind, declareQueue, exchangeOf, REPLY_EXCHANGE, releaseBroker, removeQueue, unbind, type Exchange } from './broker.js';
import { answerMalformed, decodeOrReject, incomingCall, notificationSettlement } from './incoming.js';
import { ack, cancel, consume, copyReady, createMessage, publish, readyCount, type Consumer, type Delivery, type MessageBody, type Queue } from './queue.js';
import { cloneWireBody, wireCopy } from '../../lib/wire/wire-copy.js';

interface MemoryDriverConfig {
  /** Transports with the same broker name in one process share queues. */
  readonly brokerName: string;
  readonly controlExchange: string;
  /** Ready messages a queue may hold before a send to it fails. */
  readonly maxQueueLength: number;
}

const log = getLogger('rx-messaging.memory');

/** The memory driver over the broker `brokerName`, acquired now and released on close. @internal */
export function createMemoryDriver({ brokerName, controlExchange, maxQueueLength }: MemoryDriverConfig): Driver {
  const broker = acquireBroker(brokerName);
  const status = new ReplaySubject<TransportStatus>(1);
  status.next({ state: 'connected', host: brokerName });
  /** The subscribers of live listeners, completed on close. */
  const listeners = new Set<{ complete(): void }>();
  let replies: { readonly channel: ReplyChannel; close(): void } | undefined;
  let closed = false;

  const exchangeFor = (target: Target): Exchange => exchangeOf(broker, exchangeName(target, controlExchange));

  const closedError = () => new TransportClosed(`The memory transport '${brokerName}' is closed`);
  const queueFull = (queue: Queue) =>
    new MessageDeliveryFailure(
      `The memory queue '${queue.name}' is full: it holds ${maxQueueLength} messages nobody consumed (max_queue_length). Start its consumer, or raise the limit`,
    );
  /** Publishes `body` to `queue` unless it is full; false when it was. */
  const offer = (queue: Queue, body: MessageBody, ttlMs?: number): boolean => {
    if (readyCount(queue) >= maxQueueLength) return false;
    publish(queue, createMessage(body, ttlMs));
    return true;
  };
  /** Publishes `body` to `queue`; fails, as RabbitMQ's `reject-publish` nacks, when it is full. */
  const publishTo = (queue: Queue, body: MessageBody, ttlMs?: number): void => {
    if (!offer(queue, body, ttlMs)) throw queueFull(queue);
  };
  /** Publishes `body` to each of `queues` with room; fails when one was full. */
  const publishAll = (queues: Iterable<Queue>, body: MessageBody): void => {
    let full: Queue | undefined;
    for (const queue of queues) if (!offer(queue, body)) full ??= queue;
    if (full) throw queueFull(full);
  };
  function assertOpen(): void {
    if (closed) throw closedError();
  }

  /**
   * Bodies travel as JSON would deliver them, bare: oslo's envelope is for oslo peers, and none
   * listens here. Bytes come only from `publishRaw`, as a foreign publisher's would (either form).
   */
  const readBody = (body: MessageBody) => (Buffer.isBuffer(body) ? decodeBody(defaultCodec, body) : cloneWireBody(body));
  /** A reply goes to one queue and is acked as it is read: its checked copy is read once, so it is the receiver's own without another. */
  const readReplyBody = (body: MessageBody) => (Buffer.isBuffer(body) ? decodeBody(defaultCodec, body) : body);

  async function sendReply(address: string, reply: Reply): Promise<void> {
    assertOpen();
    const body = wireCopy(replyToWire(reply, hexId()));
    const queue = exchangeOf(broker, REPLY_EXCHANGE).queues.get(address);
    if (!queue) return log.debug(`dropped a reply to '${address}': the caller's reply queue is gone`, { replyTo: address, msgId: reply.msgId });
    publishTo(queue, body);
  }

  /**
   * A cold stream consuming the queues `open` declares while subscribed; `receive` turns a
   * delivery into a value (or rejects it). The consumers are in place when `onReady` is called.
   */
  function consuming<T>(
    onReady: (() => void) | undefined,
    open: () => { queues: Iterable<Queue>; receive: (delivery: Delivery) => T | undefined; teardown?: () => void },
  ): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (closed) return subscriber.error(closedError());
      let opened: ReturnType<typeof open>;
      try {
        opened = open();
      } catch (error) {
        return subscriber.error(error);
      }
      const { queues, receive, teardown } = opened;
      const consumers: Consumer[] = [];
      for (const queue of queues) {
        consumers.push(
          consume(queue, (delivery) => {
            const value = receive(delivery);
            if (value !== undefined) subscriber.next(value);
          }),
        );
      }
      listeners.add(subscriber);
      onReady?.();
      return () => {
        listeners.delete(subscriber);
        for (const consumer of consumers) cancel(consumer);
        teardown?.();
      };
    });
  }

  function openReplyChannel(): { channel: ReplyChannel; close(): void } {
    const address = replyQueue(hexId());
    const exchange = exchangeOf(broker, REPLY_EXCHANGE);
    const queue = declareQueue(exchange, address);
    const replies$ = new Subject<Reply>();
    const consumer = consume(queue, (delivery) => {
      const reply = decodeOrReject(delivery, readReplyBody, replyFromWire);
      if (reply === undefined) return;
      ack(delivery);
      replies$.next(reply);
    });
    return {
      channel: { address, replies$: replies$.asObservable() },
      close() {
        cancel(consumer);
        removeQueue(exchange, queue);
        replies$.complete();
      },
    };
  }

  return {
    name: 'memory',
    // One process's queues: they keep messages for consumers not yet started, until the broker goes.
    capabilities: { requeue: true, pools: true, durable: true, undeliverableDetection: true },
    status$: status.asObservable(),

    async send(target: Target, request: RpcRequest, { atLeastOnce = false }: SendOptions = {}): Promise<void> {
      assertOpen();
      assertTargetFor(request.call ? 'call' : 'cast', target);
      const body = wireCopy(rpcToWire(request));
      const exchange = exchangeFor(target);
      if (target.fanout) {
        const bound = exchange.fanouts.get(fanoutExchange(target));
        // A fanout nobody is bound to goes nowhere, as on AMQP.
        if (!bound) {
          if (atLeastOnce) throw new MessageUndeliverable(fanoutExchange(target), topicQueue(target));
          return log.debug(`dropped a fanout cast to '${fanoutExchange(target)}': no server is bound to it`, { method: request.method });
        }
        return publishAll(bound, body);
      }
      const key = routingKey(target);
      if (atLeastOnce && !exchange.queues.get(key)?.consumers.length) throw new MessageUndeliverable(exchangeName(target, controlExchange), key);
      publishTo(declareQueue(exchange, key), body, request.call?.timeoutMs);
    },

    async replyChannel(): Promise<ReplyChannel> {
      assertOpen();
      replies ??= openReplyChannel();
      return replies.channel;
    },

    listen(target: Target, { onReady }: ListenOptions = {}): Observable<IncomingCall> {
      return consuming(onReady, () => {
        assertTargetFor('server', target);
        const exchange = exchangeFor(target);
        const fanout = declareQueue(exchange, fanoutQueue(target, hexId()));
        bind(exchange.fanouts, fanoutExchange(target), fanout);
        return {
          queues: [declareQueue(exchange, topicQueue(target)), declareQueue(exchange, serverQueue(target)), fanout],
          receive: (delivery) => {
            const request = decodeOrReject(
              delivery,
              readBody,
              (body) => rpcFromWire(body, delivery.message.ttl),
              (body, error) => answerMalformed(body, error, sendReply),
            );
            return request && incomingCall(request, delivery, sendReply, (queue) => declareQueue(exchange, deadLetterQueue(queue.name)));
          },
          // The private fanout queue lives as long as its server, like AMQP's auto-delete queue;
          // its unacked messages go with it.
          teardown: () => {
            unbind(exchange.fanouts, fanoutExchange(target), fanout);
            removeQueue(exchange, fanout);
          },
        };
      });
    },

    async notify(target: Target, notification: Notification): Promise<void> {
      assertOpen();
      assertTargetFor('notifier', target);
      const body = wireCopy(notificationToWire(notification, hexId()));
      const exchange = exchangeFor(target);
      const key = notificationQueue(target, notification.priority);
      // The publisher declares the queue, so events wait for listeners (oslo does the same on RabbitMQ).
      publishAll([declareQueue(exchange, key), ...(exchange.bindings.get(key) ?? [])], body);
    },

    listenForNotifications(bindings: readonly NotificationBinding[], { pool, autoDeletePool = false, onReady }: NotificationListenOptions = {}): Observable<IncomingNotification> {
      return consuming(onReady, () => {
        // All checked before any queue is declared or bound, so a bad binding leaves nothing behind.
        for (const { target } of bindings) assertTargetFor('listener', target);
        const queues = new Set<Queue>();
        const poolBindings: [Exchange, string, Queue][] = [];
        /** The exchange of each queue consumed, where its dead-letter queue lives. */
        const homes = new Map<Queue, Exchange>();
        const deadLetters = (queue: Queue) => declareQueue(homes.get(queue) as Exchange, deadLetterQueue(queue.name));
        for (const { target, priority } of bindings) {
          const exchange = exchangeFor(target);
          const key = notificationQueue(target, priority);
          if (pool === undefined) {
            const queue = declareQueue(exchange, key);
            queues.add(queue);
            homes.set(queue, exchange);
            continue;
          }
          const own = declareQueue(exchange, poolQueue(pool));
          const shared = exchange.queues.get(key);
          // A pool named like the topic queue is that queue: binding it to itself would deliver twice.
          if (own !== shared && bind(exchange.bindings, key, own) && shared) copyReady(shared, own);
          if (own !== shared) poolBindings.push([exchange, key, own]);
          queues.add(own);
          homes.set(own, exchange);
        }
        return {
          queues,
          receive: (delivery) => {
            return decodeOrReject(delivery, readBody, (body) => incomingNotificationFromWire(body, notificationSettlement(delivery, deadLetters)));
          },
          // As AMQP's auto-delete: the pool's queue goes with its last consumer (this one's are cancelled already).
          ...(autoDeletePool && {
            teardown: () => {
              const idle = poolBindings.filter(([, , queue]) => !queue.consumers.length);
              for (const [exchange, key, queue] of idle) unbind(exchange.bindings, key, queue);
              for (const [exchange, , queue] of idle) removeQueue(exchange, queue);
            },
          }),
        };
      });
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const listener of [...listeners]) listener.complete();
      replies?.close();
      status.next({ state: 'closed', host: brokerName });
      status.complete();
      releaseBroker(broker);
    },
  };
}
