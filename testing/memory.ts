/**
 * Helpers for specs that need to reach under a memory transport: put bytes on a queue as a
 * foreign or broken publisher would, and see how many messages wait in one. Queues are named
 * with `lib/core/target.ts` and scoped by exchange; reply queues live in exchange `''`.
 */
import { TransportClosed } from '../lib/core/errors.js';
import { declareQueue, exchangeOf, findBroker, type Broker } from '../drivers/memory/broker.js';
import { createMessage, publish, readyCount } from '../drivers/memory/queue.js';

/**
 * Publishes `bytes` as they are to `queue` of `exchange` on the open broker `brokerName` (the
 * queue is created when missing); throws `TransportClosed` when no memory transport of that name is open.
 *
 * @example
 * ```ts
 * const transport = await connect('memory://spec');
 * publishRaw('spec', 'openstack', topicQueue(target({ topic: 'compute' })), Buffer.from('not json'));
 * ```
 */
export function publishRaw(brokerName: string, exchange: string, queue: string, bytes: Buffer): void {
  publish(declareQueue(exchangeOf(openBroker(brokerName), exchange), queue), createMessage(bytes));
}

/**
 * How many messages wait (undelivered) in a queue; undefined when the broker or the queue does not exist.
 *
 * @example
 * ```ts
 * assert.is(queueDepth('spec', 'openstack', notificationQueue(target({ topic: 'notifications' }), 'info')), 0);
 * ```
 */
export function queueDepth(brokerName: string, exchange: string, queue: string): number | undefined {
  const found = findBroker(brokerName)?.exchanges.get(exchange)?.queues.get(queue);
  return found && readyCount(found);
}

function openBroker(name: string): Broker {
  const broker = findBroker(name);
  if (!broker) throw new TransportClosed(`No memory transport named '${name}' is open`);
  return broker;
}
