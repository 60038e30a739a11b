import { Subject } from 'rxjs';
import * as assert from 'uvu/assert';
import { createLink, type Link } from '../../../drivers/amqp/connection.js';
import { consume, type ConsumerScope, type Delivery } from '../../../drivers/amqp/consume.js';
import { amqpOptions } from '../../../drivers/amqp/options.js';
import type { Topology } from '../../../drivers/amqp/topology.js';
import { MessageDeliveryFailure } from '../../../lib/core/errors.js';
import { parseTransportUrl } from '../../../lib/core/url.js';
import { serviceSuite } from '../../helpers/services.js';
import { captureLogs, type LogCapture } from '../../helpers/logs.js';
import { brokerUrl, rawBroker, record, uniqueTopic, within, type RawBroker } from './support.js';

interface Context {
  broker: RawBroker;
  link: Link;
  scope: ConsumerScope & { close(): void };
  logs: LogCapture;
  queue: string;
  exchange: string;
}

const Consume = await serviceSuite<Context>('amqp consume: a setup refused with 404', ['rabbitmq'], {} as Context);

Consume.before.each(async (context) => {
  context.broker = await rawBroker();
  const url = parseTransportUrl(brokerUrl());
  context.link = createLink('listen', url, amqpOptions(url, {}));
  const closing$ = new Subject<void>();
  context.scope = { closing$, track: () => undefined, close: () => closing$.next() };
  context.logs = captureLogs('rx-messaging.amqp');
  context.queue = uniqueTopic('consume');
  context.exchange = uniqueTopic('missing');
});

Consume.after.each(async ({ broker, link, scope, logs, queue, exchange }) => {
  logs.restore();
  scope.close();
  await link.close();
  await broker.deleteQueues(queue);
  const ch = await broker.channel();
  await ch.deleteExchange(exchange);
  await ch.close();
  await broker.close();
});

/** A queue bound to an exchange nobody declared: binding it is refused with 404 until someone does. */
const boundToMissing = (queue: string, exchange: string): Topology => ({
  exchanges: [],
  queues: [{ name: queue, durable: false, autoDelete: false, arguments: {}, bindings: [{ exchange, routingKey: queue }] }],
});

const pauses = (logs: LogCapture) => logs.records.filter((r) => r.message.startsWith('resuming')).map((r) => r.fields?.['inMs'] as number);

Consume('should set up again after growing pauses while a 404 lasts, consuming once the broker accepts', async ({ broker, link, scope, logs, queue, exchange }) => {
  const deliveries = record<Delivery>((onReady) =>
    consume(link, scope, { description: 'spec consumer', topology: boundToMissing(queue, exchange), prefetch: 1, onConsuming: onReady }),
  );
  await within(
    logs.until(4, (r) => r.message.startsWith('resuming')),
    'four refused setups',
  );
  const ch = await broker.channel();
  await ch.assertExchange(exchange, 'topic', { durable: false, autoDelete: false });
  await within(deliveries.ready, 'consuming once the exchange exists');
  ch.publish(exchange, queue, Buffer.from('{}'));
  const [delivery] = await within(deliveries.until(1), 'a delivery');
  delivery!.ack();
  await ch.close();
  const seen = pauses(logs);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, `pauses grow: ${seen.join(', ')}`);
  assert.is(seen[0]! * 2, seen[1], `each pause doubles the last: ${seen.join(', ')}`);
  deliveries.stop();
});

Consume('should fail with MessageDeliveryFailure once 404s last longer than notFoundTimeoutMs', async ({ link, scope, logs, queue, exchange }) => {
  const deliveries = record<Delivery>((onReady) =>
    consume(link, scope, { description: 'spec consumer', topology: boundToMissing(queue, exchange), prefetch: 1, onConsuming: onReady, notFoundTimeoutMs: 300 }),
  );
  const error = await within(deliveries.failed, 'the consumer failed');
  assert.instance(error, MessageDeliveryFailure);
  assert.match(error.message, exchange);
  assert.ok(pauses(logs).length >= 2, 'tried again before failing');
});

Consume.run();
