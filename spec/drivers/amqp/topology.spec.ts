import * as assert from 'uvu/assert';
import { MessageDeliveryFailure } from '../../../lib/core/errors.js';
import { target } from '../../../lib/core/target.js';
import { serviceSuite } from '../../helpers/services.js';
import { captureLogs } from '../../helpers/logs.js';
import { brokerUrl, openDriver, rawBroker, record, uniqueTopic, within, type RawBroker } from './support.js';

const Topology = await serviceSuite<{ broker: RawBroker }>('amqp topology on the broker', ['rabbitmq']);

Topology.before(async (context) => {
  context.broker = await rawBroker();
});

Topology.after(async ({ broker }) => {
  await broker.close();
});

const transient = { durable: false, autoDelete: false };

Topology("should declare an RPC server's queues with oslo's flags: the same declaration passes, another gets 406", async ({ broker }) => {
  const driver = await openDriver();
  const topic = uniqueTopic();
  const server = record((onReady) => driver.listen(target({ topic, server: 'srv1' }), { onReady }));
  await within(server.ready, 'the server consuming');
  for (const name of [topic, `${topic}.srv1`]) {
    assert.is(await broker.declareQueue(name, transient), 200, `${name} as oslo declares it`);
    assert.is(await broker.declareQueue(name, { durable: true, autoDelete: false }), 406, `${name} durable`);
    assert.is(await broker.declareQueue(name, { durable: false, autoDelete: false, arguments: { 'x-expires': 1800000 } }), 406, `${name} with x-expires`);
  }
  await driver.close();
  await broker.deleteQueues(topic, `${topic}.srv1`);
});

Topology('should give the fanout queue x-expires 1800000 and delete it on a clean close', async ({ broker }) => {
  const driver = await openDriver();
  const topic = uniqueTopic();
  // The private queue's name is random: the driver's debug log says what it consumes.
  const logs = captureLogs('rx-messaging.amqp');
  const server = record((onReady) => driver.listen(target({ topic, server: 'srv1' }), { onReady }));
  await within(server.ready, 'the server consuming');
  logs.restore();
  const consuming = logs.records.find((r) => r.message.includes(`RPC server ${topic}.srv1`));
  const names = (consuming!.fields!['queues'] as string[]).filter((name) => name.includes('_fanout_'));
  assert.is(names.length, 1);
  const [fanout] = names as [string];
  assert.match(fanout, new RegExp(`^${topic}_fanout_[0-9a-f]{32}$`));
  assert.is(await broker.declareQueue(fanout, { ...transient, arguments: { 'x-expires': 1800000 } }), 200);
  assert.is(await broker.declareQueue(fanout, transient), 406);
  await driver.close();
  assert.is(await broker.queueExists(fanout), false, 'deleted on close');
  await broker.deleteQueues(topic, `${topic}.srv1`);
});

Topology('should declare the reply queue reply_<hex> with x-expires', async ({ broker }) => {
  const driver = await openDriver();
  const { address } = await driver.replyChannel();
  assert.match(address, /^reply_[0-9a-f]{32}$/);
  assert.is(await broker.declareQueue(address, { ...transient, arguments: { 'x-expires': 1800000 } }), 200);
  assert.is(await broker.declareQueue(address, transient), 406);
  await driver.close();
  await broker.deleteQueues(address);
});

Topology('should have the notifier declare <topic>.<priority> so events wait for listeners', async ({ broker }) => {
  const driver = await openDriver();
  const topic = uniqueTopic('notifications');
  await driver.notify(target({ topic }), { messageId: 'a', publisherId: 'p', eventType: 'e', priority: 'warn', payload: {}, timestamp: '2026-01-01 00:00:00.000000', context: {} });
  assert.is(await broker.messageCount(`${topic}.warn`), 1);
  assert.is(await broker.declareQueue(`${topic}.warn`, transient), 200);
  await driver.close();
  await broker.deleteQueues(`${topic}.warn`);
});

Topology('should declare quorum queues, durable, when rabbit_quorum_queue is set', async ({ broker }) => {
  const exchange = uniqueTopic('ex');
  const topic = uniqueTopic();
  const driver = await openDriver(brokerUrl({ query: 'rabbit_quorum_queue=true&rabbit_quorum_delivery_limit=3' }));
  const server = record((onReady) => driver.listen(target({ exchange, topic, server: 'srv1' }), { onReady }));
  await within(server.ready, 'the quorum server consuming');
  const quorum = { 'x-queue-type': 'quorum', 'x-delivery-limit': 3 };
  assert.is(await broker.declareQueue(topic, { durable: true, autoDelete: false, arguments: quorum }), 200);
  assert.is(await broker.declareQueue(topic, { durable: true, autoDelete: false }), 406, 'a classic queue of the same name');
  await driver.close();
  await broker.deleteQueues(topic, `${topic}.srv1`);
  const ch = await broker.channel();
  await ch.deleteExchange(exchange);
  await ch.close();
});

Topology('should fail the listener that meets a 406 with MessageDeliveryFailure, and carry on', async ({ broker }) => {
  const driver = await openDriver();
  const topic = uniqueTopic();
  // Someone declared the topic queue durable (e.g. a service with amqp_durable_queues=True).
  assert.is(await broker.declareQueue(topic, { durable: true, autoDelete: false }), 200);
  const refused = record((onReady) => driver.listen(target({ topic, server: 'srv1' }), { onReady }));
  const error = await within(refused.failed, 'the listener failing');
  assert.instance(error, MessageDeliveryFailure);
  assert.is((error.cause as { code?: number }).code, 406);
  assert.match(error.message, /amqp_durable_queues/);

  const other = uniqueTopic();
  const working = record((onReady) => driver.listen(target({ topic: other, server: 'srv1' }), { onReady }));
  await within(working.ready, 'another listener on the same driver');
  await driver.send(target({ topic: other }), { method: 'ping', args: {}, context: {}, uniqueId: 'u1' });
  const [call] = await within(working.until(1), 'the cast');
  assert.is(call?.method, 'ping');
  await driver.close();
  await broker.deleteQueues(topic, other, `${other}.srv1`);
});

Topology('should fail a send whose exchange is declared otherwise with MessageDeliveryFailure, and carry on', async ({ broker }) => {
  const driver = await openDriver();
  const exchange = uniqueTopic('ex');
  const ch = await broker.channel();
  await ch.assertExchange(exchange, 'topic', { durable: true, autoDelete: false });
  const error = await driver.send(target({ exchange, topic: 'x' }), { method: 'm', args: {}, context: {}, uniqueId: 'u1' }).then(
    () => undefined,
    (e: Error) => e,
  );
  assert.instance(error, MessageDeliveryFailure);
  assert.is(((error as Error).cause as { code?: number }).code, 406);
  await driver.send(target({ topic: uniqueTopic() }), { method: 'm', args: {}, context: {}, uniqueId: 'u2' });
  await ch.deleteExchange(exchange);
  await ch.close();
  await driver.close();
});

Topology.run();
