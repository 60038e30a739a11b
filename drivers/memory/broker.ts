/**
 * The process-wide memory brokers, one per `memory://` name. A broker holds exchanges; an
 * exchange scopes queue names, so the same topic in two exchanges is two separate sets of queues.
 * Queue, exchange and routing names come from `lib/core/target.ts`; this file only stores them.
 */
import { createQueue, deleteQueue, type Queue } from './queue.js';

/** @internal */
export interface Broker {
  readonly name: string;
  /** Open transports using this broker; the last one to close drops it. */
  refs: number;
  readonly exchanges: Map<string, Exchange>;
}

/** @internal */
export interface Exchange {
  readonly queues: Map<string, Queue>;
  /** Fanout exchange name → the private queue of every server bound to it. */
  readonly fanouts: Map<string, Set<Queue>>;
  /** Routing key → the queues bound to it besides the queue of that name (notification pools). */
  readonly bindings: Map<string, Set<Queue>>;
}

/** Replies go through AMQP's default exchange, named ''. @internal */
export const REPLY_EXCHANGE = '';

const brokers = new Map<string, Broker>();

/** The broker of `name`, created on first use; pair every call with `releaseBroker`. @internal */
export function acquireBroker(name: string): Broker {
  let broker = brokers.get(name);
  if (!broker) {
    broker = { name, refs: 0, exchanges: new Map() };
    brokers.set(name, broker);
  }
  broker.refs++;
  return broker;
}

/** Drops one use; with the last, every queue of the broker and its messages are discarded. @internal */
export function releaseBroker(broker: Broker): void {
  if (--broker.refs > 0) return;
  if (brokers.get(broker.name) === broker) brokers.delete(broker.name);
  for (const exchange of broker.exchanges.values()) for (const queue of exchange.queues.values()) deleteQueue(queue);
  broker.exchanges.clear();
}

/** The live broker of `name`, if a transport holds one. @internal */
export function findBroker(name: string): Broker | undefined {
  return brokers.get(name);
}

/** @internal */
export function exchangeOf(broker: Broker, name: string): Exchange {
  let exchange = broker.exchanges.get(name);
  if (!exchange) {
    exchange = { queues: new Map(), fanouts: new Map(), bindings: new Map() };
    broker.exchanges.set(name, exchange);
  }
  return exchange;
}

/** The queue of `name` in `exchange`, created when missing (AMQP's idempotent queue.declare). @internal */
export function declareQueue(exchange: Exchange, name: string): Queue {
  let queue = exchange.queues.get(name);
  if (!queue) {
    queue = createQueue(name);
    exchange.queues.set(name, queue);
  }
  return queue;
}

/** Deletes a queue (unbind it first); its waiting messages are dropped. @internal */
export function removeQueue(exchange: Exchange, queue: Queue): void {
  if (exchange.queues.get(queue.name) === queue) exchange.queues.delete(queue.name);
  deleteQueue(queue);
}

/** Binds `queue` under `key`; true when the binding is new. @internal */
export function bind(table: Map<string, Set<Queue>>, key: string, queue: Queue): boolean {
  let bound = table.get(key);
  if (!bound) {
    bound = new Set();
    table.set(key, bound);
  }
  if (bound.has(queue)) return false;
  bound.add(queue);
  return true;
}

/** @internal */
export function unbind(table: Map<string, Set<Queue>>, key: string, queue: Queue): void {
  const bound = table.get(key);
  if (!bound?.delete(queue)) return;
  if (!bound.size) table.delete(key);
}
