import type { Options } from 'amqplib';
import * as assert from 'uvu/assert';
import { hexId } from '../../../lib/core/ids.js';
import { connect, target, type Transport } from '../../../lib/index.js';
import { notificationListener } from '../../../lib/notify/listener.js';
import { notifier } from '../../../lib/notify/notifier.js';
import { driverOf } from '../../../lib/transport.js';
import { serviceSuite } from '../../helpers/services.js';
import { captureLogs } from '../../helpers/logs.js';
import { brokerUrl, rawBroker, uniqueTopic, within, type RawBroker } from './support.js';

const Poison = await serviceSuite<{ broker: RawBroker; transports: Transport[] }>('amqp poison messages and malformed calls', ['rabbitmq']);

Poison.before.each(async (context) => {
  context.broker = await rawBroker();
  context.transports = [];
});

Poison.after.each(async ({ broker, transports }) => {
  await Promise.all(transports.map((transport) => transport.close()));
  await broker.close();
});

/** Resolves once `queue` holds `count` messages: the broker dead-letters after the reject, not with it. */
async function holding(broker: RawBroker, queue: string, count: number): Promise<number> {
  for (;;) {
    const held = await broker.messageCount(queue);
    if (held >= count) return held;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Runs a listener whose handler always fails until it gives the message up, and says how often it ran. */
async function poison(context: { transports: Transport[] }, query: string, topic: string, exchange?: string): Promise<number> {
  const transport = await connect(brokerUrl({ query }));
  context.transports.push(transport);
  const logs = captureLogs('rx-messaging.notification-listener');
  let runs = 0;
  const endpoint = {
    info: () => {
      runs++;
      throw new Error('poison');
    },
  };
  const listener = notificationListener(transport, [target(exchange ? { exchange, topic } : { topic })], [endpoint], {
    allowRequeue: true,
    maxRedeliveries: 2,
    redeliveryDelay: 5,
  });
  await listener.start();
  // The notifier publishes to the control exchange; a notification on another goes through the driver.
  if (exchange)
    await driverOf(transport).notify(target({ exchange, topic }), {
      messageId: hexId(),
      publisherId: 'p',
      eventType: 'poison',
      priority: 'info',
      payload: {},
      timestamp: '2026-01-01 00:00:00.000000',
      context: {},
    });
  else await notifier(transport, { publisherId: 'p', topics: [topic] }).info('poison', {});
  await within(
    logs.until(1, (record) => record.message.includes('dead-letter queue')),
    'the message moved to its dead-letter queue',
  );
  logs.restore();
  await listener.stop();
  return runs;
}

Poison('should move a message its handler always fails on to <queue>.dead-letter with rabbit_dead_letter_queues', async (context) => {
  const topic = uniqueTopic();
  const runs = await poison(context, 'rabbit_dead_letter_queues=true', topic);
  assert.is(runs, 3, 'the first delivery and two redeliveries');
  assert.is(await within(holding(context.broker, `${topic}.info.dead-letter`, 1), 'the dead-letter queue holding it'), 1);
  assert.is(await context.broker.messageCount(`${topic}.info`), 0);
  const deadLetterArguments = { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': `${topic}.info.dead-letter` };
  assert.is(
    await context.broker.declareQueue(`${topic}.info`, { durable: false, autoDelete: false, arguments: deadLetterArguments }),
    200,
    'declared with the dead-letter arguments',
  );
  await context.broker.deleteQueues(`${topic}.info`, `${topic}.info.dead-letter`);
});

Poison("should count a quorum queue's redeliveries by its x-delivery-count", async (context) => {
  const topic = uniqueTopic();
  // Quorum queues need durable exchanges: not the shared 'openstack' one other specs declare transient.
  const exchange = uniqueTopic('ex');
  const runs = await poison(context, 'rabbit_quorum_queue=true&rabbit_dead_letter_queues=true', topic, exchange);
  assert.is(runs, 3);
  assert.is(await within(holding(context.broker, `${topic}.info.dead-letter`, 1), 'the dead-letter queue holding it'), 1);
  await context.broker.deleteQueues(`${topic}.info`, `${topic}.info.dead-letter`);
  const ch = await context.broker.channel();
  await ch.deleteExchange(exchange);
  await ch.close();
});

Poison('should answer a malformed call that names its reply queue with a MalformedMessage failure', async (context) => {
  const transport = await connect(brokerUrl());
  context.transports.push(transport);
  const topic = uniqueTopic();
  const { rpcServer } = await import('../../../lib/index.js');
  const server = rpcServer(transport, target({ topic, server: 'a' }), [{ echo: (args: { value: unknown }) => args.value }]);
  await server.start();
  const ch = await context.broker.channel();
  const replyTo = `reply_${hexId()}`;
  await ch.assertQueue(replyTo, { exclusive: true });
  const reply = new Promise<Record<string, unknown>>((resolve) => {
    void ch.consume(replyTo, (message) => message && resolve(JSON.parse(JSON.parse(message.content.toString())['oslo.message'])), { noAck: true });
  });
  const json: Options.Publish = { contentType: 'application/json', contentEncoding: 'utf-8' };
  const body = { args: {}, _msg_id: 'm-1', _reply_q: replyTo, _unique_id: hexId() };
  ch.publish('openstack', topic, Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(body) })), json);
  const answer = await within(reply, 'the failure reply');
  assert.is(answer['_msg_id'], 'm-1');
  assert.is(answer['ending'], true);
  const failure = JSON.parse(String(answer['failure'])) as Record<string, unknown>;
  assert.is(failure['class'], 'MalformedMessage');
  assert.match(String(failure['message']), /method/);
  await ch.close();
  await server.stop();
  await context.broker.deleteQueues(topic, `${topic}.a`);
});

Poison.run();
