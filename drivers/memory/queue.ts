/**
 * A memory queue: messages in arrival order, served round-robin to its consumers, each delivery
 * then acked or requeued, as an AMQP queue does with a prefetch limit.
 *
 * Delivery is never synchronous: a publish schedules one microtask that drains the queue, so a
 * burst of sends costs one drain. Call requests carry an expiry; like RabbitMQ's per-message TTL
 * it is checked when a message reaches the head, and one timer per queue (never per message)
 * drops expired heads while nobody consumes.
 */
import { type Fifo, takeFirst, waitingCount } from '../../lib/core/fifo.js';
import { getLogger } from '../../lib/core/logger.js';
import { onNextMicrotask } from '../../lib/core/microtask.js';
import type { WireBody } from '../../lib/wire/wire-copy.js';

/** What was published: a body as the wire would deliver it (read by a copy per delivery), or raw bytes. @internal */
export type MessageBody = WireBody | Buffer;

interface Message {
  readonly body: MessageBody;
  /** The publisher's call timeout in ms (AMQP `expiration`); 0 for a message that never expires. */
  readonly ttl: number;
  /** Epoch ms from which the message is dropped instead of delivered; Infinity when never. */
  readonly expiresAt: number;
  redelivered: boolean;
  /** How many times it was given back for another delivery. */
  redeliveries: number;
}

type Deliver = (delivery: Delivery) => void;

/** @internal */
export interface Consumer {
  readonly queue: Queue;
  readonly deliver: Deliver;
  /**
   * Deliveries handed out and not yet acked or requeued, oldest first: they go back when the
   * consumer is cancelled. A list through the deliveries, not a Set: a Set that fills and empties
   * with every message re-tables itself, and its dead tables keep young deliveries alive through scavenges.
   */
  unacked: number;
  oldest: Delivery | undefined;
  newest: Delivery | undefined;
}

/** @internal */
export interface Delivery {
  readonly message: Message;
  readonly consumer: Consumer;
  settled: boolean;
  /** Its neighbours among its consumer's unacked deliveries. */
  older: Delivery | undefined;
  newer: Delivery | undefined;
}

/** @internal */
export interface Queue extends Fifo<Message> {
  readonly name: string;
  readonly consumers: Consumer[];
  /** Index of the consumer that gets the next message (round-robin). */
  next: number;
  drainScheduled: boolean;
  expiry: { readonly timer: NodeJS.Timeout; readonly head: Message } | undefined;
  deleted: boolean;
}

const log = getLogger('rx-messaging.memory');

/** setTimeout fires at once (with a warning) beyond this many ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Unacked deliveries per consumer at most, as RabbitMQ's prefetch: what a listener has not
 * settled yet waits here rather than in its own buffers, where a burst of publishes would pile up
 * in RxJS buffers that cost the listener CPU on every notification. Above any sensible batch
 * size, so a batch listener fills its batches.
 * @internal
 */
export const PREFETCH = 1024;

/** @internal */
export function createQueue(name: string): Queue {
  return { name, items: [], head: 0, consumers: [], next: 0, drainScheduled: false, expiry: undefined, deleted: false };
}

/** A message to publish; `ttlMs` (a call's timeout) makes it expire, 0 or non-finite never. @internal */
export function createMessage(body: MessageBody, ttlMs = 0): Message {
  const ttl = Number.isFinite(ttlMs) && ttlMs > 0 ? ttlMs : 0;
  return { body, ttl, expiresAt: ttl ? Date.now() + ttl : Infinity, redelivered: false, redeliveries: 0 };
}

/** How many messages wait for a consumer (delivered, unacked ones not counted). @internal */
export const readyCount: (queue: Queue) => number = waitingCount;

/** @internal */
export function publish(queue: Queue, message: Message): void {
  if (queue.deleted) return;
  queue.items.push(message);
  schedule(queue);
}

/** Publishes a fresh copy of every ready message of `from` to `to`: how a new notification pool gets the backlog. @internal */
export function copyReady(from: Queue, to: Queue): void {
  for (let i = from.head; i < from.items.length; i++) {
    const message = from.items[i] as Message;
    publish(to, { body: message.body, ttl: message.ttl, expiresAt: message.expiresAt, redelivered: false, redeliveries: 0 });
  }
}

/** Adds a consumer; what is waiting is delivered to it on the next microtask. @internal */
export function consume(queue: Queue, deliver: Deliver): Consumer {
  const consumer: Consumer = { queue, deliver, unacked: 0, oldest: undefined, newest: undefined };
  queue.consumers.push(consumer);
  schedule(queue);
  return consumer;
}

/** Removes a consumer; its unacked messages go back to the front of the queue, marked redelivered. @internal */
export function cancel(consumer: Consumer): void {
  const { queue } = consumer;
  const index = queue.consumers.indexOf(consumer);
  if (index < 0) return;
  queue.consumers.splice(index, 1);
  if (queue.next > index) queue.next--;
  const returned: Message[] = [];
  for (let delivery = consumer.oldest; delivery; delivery = delivery.newer) {
    delivery.settled = true;
    returned.push(delivery.message);
  }
  consumer.unacked = 0;
  consumer.oldest = consumer.newest = undefined;
  if (returned.length) giveBack(queue, returned);
  watchExpiry(queue);
}

/** Settles a delivery: the broker forgets the message. A second settle does nothing. @internal */
export function ack(delivery: Delivery): void {
  if (delivery.settled) return;
  delivery.settled = true;
  const { consumer, older, newer } = delivery;
  if (older) older.newer = newer;
  else consumer.oldest = newer;
  if (newer) newer.older = older;
  else consumer.newest = older;
  delivery.older = delivery.newer = undefined;
  // The consumer was full: the queue may deliver to it again.
  if (--consumer.unacked === PREFETCH - 1) schedule(consumer.queue);
}

/** Returns a delivery's message to the front of its queue for another delivery, marked redelivered. @internal */
export function requeue(delivery: Delivery): void {
  if (delivery.settled) return;
  ack(delivery);
  giveBack(delivery.consumer.queue, [delivery.message]);
}

/** Settles a delivery by publishing its message, as it is, to `to` (a dead-letter queue). @internal */
export function moveTo(delivery: Delivery, to: Queue): void {
  if (delivery.settled) return;
  ack(delivery);
  const { body, ttl, expiresAt, redeliveries } = delivery.message;
  publish(to, { body, ttl, expiresAt, redelivered: false, redeliveries });
}

/** Deletes a queue: its messages are dropped, its consumers get nothing more, its expiry timer stops. @internal */
export function deleteQueue(queue: Queue): void {
  queue.deleted = true;
  queue.items = [];
  queue.head = 0;
  for (const consumer of queue.consumers) for (let delivery = consumer.oldest; delivery; delivery = delivery.newer) delivery.settled = true;
  queue.consumers.length = 0;
  if (queue.expiry) clearTimeout(queue.expiry.timer);
  queue.expiry = undefined;
}

function schedule(queue: Queue): void {
  if (!queue.consumers.length) {
    watchExpiry(queue);
    return;
  }
  if (queue.drainScheduled) return;
  queue.drainScheduled = true;
  onNextMicrotask(() => drain(queue));
}

function drain(queue: Queue): void {
  queue.drainScheduled = false;
  while (queue.consumers.length && readyCount(queue)) {
    const head = queue.items[queue.head] as Message;
    if (head.expiresAt !== Infinity && head.expiresAt <= Date.now()) {
      logExpired(queue, takeFirst(queue));
      continue;
    }
    const consumer = nextWithRoom(queue);
    if (!consumer) break;
    const message = takeFirst(queue);
    const delivery: Delivery = { message, consumer, settled: false, older: consumer.newest, newer: undefined };
    if (consumer.newest) consumer.newest.newer = delivery;
    else consumer.oldest = delivery;
    consumer.newest = delivery;
    consumer.unacked++;
    consumer.deliver(delivery);
  }
  watchExpiry(queue);
}

/** The next consumer in round-robin order with fewer than `PREFETCH` unacked deliveries, if any. */
function nextWithRoom(queue: Queue): Consumer | undefined {
  for (let tried = 0; tried < queue.consumers.length; tried++) {
    if (queue.next >= queue.consumers.length) queue.next = 0;
    const consumer = queue.consumers[queue.next++] as Consumer;
    if (consumer.unacked < PREFETCH) return consumer;
  }
  return undefined;
}

/**
 * Puts messages back in front, in their order. Deferred to the next macrotask so that a consumer
 * requeueing everything it gets cannot spin the drain loop (or the microtask queue) forever.
 */
function giveBack(queue: Queue, messages: readonly Message[]): void {
  for (const message of messages) {
    message.redelivered = true;
    message.redeliveries++;
  }
  setImmediate(() => {
    if (queue.deleted) return;
    for (let i = messages.length - 1; i >= 0; i--) {
      const message = messages[i] as Message;
      if (queue.head > 0) queue.items[--queue.head] = message;
      else queue.items.unshift(message);
    }
    schedule(queue);
  });
}

/** While nobody consumes, keeps one timer on the head's expiry, so expired call requests do not pile up. */
function watchExpiry(queue: Queue): void {
  const head = queue.items[queue.head];
  if (queue.expiry?.head === head && head !== undefined) return;
  if (queue.expiry) clearTimeout(queue.expiry.timer);
  queue.expiry = undefined;
  if (!head || head.expiresAt === Infinity || queue.consumers.length || queue.deleted) return;
  const timer = setTimeout(
    () => {
      queue.expiry = undefined;
      const now = Date.now();
      while (readyCount(queue) && (queue.items[queue.head] as Message).expiresAt <= now) logExpired(queue, takeFirst(queue));
      watchExpiry(queue);
    },
    Math.min(Math.max(head.expiresAt - Date.now(), 0), MAX_TIMER_MS),
  );
  // An expiry must not keep the process alive.
  timer.unref();
  queue.expiry = { timer, head };
}

function logExpired(queue: Queue, message: Message): void {
  log.debug(`dropped a call request that expired in queue '${queue.name}' after ${message.ttl} ms`, { queue: queue.name, ttl: message.ttl });
}
