import { deflateSync } from 'node:zlib';
import type { Options } from 'amqplib';
import * as assert from 'uvu/assert';
import type { Driver } from '../../../lib/driver/driver.js';
import { hexId } from '../../../lib/core/ids.js';
import { target } from '../../../lib/core/target.js';
import { serviceSuite } from '../../helpers/services.js';
import { captureLogs } from '../../helpers/logs.js';
import { openDriver, rawBroker, record, uniqueTopic, within, type RawBroker } from './support.js';

const Malformed = await serviceSuite<{ driver: Driver; broker: RawBroker }>('amqp malformed messages', ['rabbitmq']);

Malformed.before.each(async (context) => {
  context.driver = await openDriver();
  context.broker = await rawBroker();
});

Malformed.after.each(async ({ driver, broker }) => {
  await driver.close();
  await broker.close();
});

const json: Options.Publish = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2 };
const envelope = (message: unknown) => Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) }));

/** What a broken or foreign publisher might put on an oslo queue, and why it must be refused. */
const garbage: [string, Buffer, Options.Publish][] = [
  ['not JSON', Buffer.from('{not json'), json],
  ['no content type', envelope({ method: 'm', args: {} }), { deliveryMode: 2 }],
  ['another content type', Buffer.from('method=m'), { contentType: 'application/x-www-form-urlencoded' }],
  ['envelope 3.0', Buffer.from(JSON.stringify({ 'oslo.version': '3.0', 'oslo.message': '{}' })), json],
  ['a JSON array', Buffer.from('[1, 2]'), json],
  ['no method', envelope({ args: {} }), json],
  ['args not an object', envelope({ method: 'm', args: [1] }), json],
  ['a call without _reply_q', envelope({ method: 'm', args: {}, _msg_id: 'x' }), json],
  ['bz2 compression', Buffer.from('BZh9'), { ...json, headers: { compression: 'application/x-bz2' } }],
  ['broken zlib', Buffer.from('not zlib'), { ...json, headers: { compression: 'application/x-gzip' } }],
];

Malformed('should reject and log every malformed RPC request, and keep consuming', async ({ driver, broker }) => {
  const topic = uniqueTopic();
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server consuming');
  const logs = captureLogs('rx-messaging.amqp');
  const ch = await broker.channel();
  for (const [, content, properties] of garbage) ch.publish('openstack', topic, content, properties);
  // A bare v1 body and a compressed one are fine: they come after the garbage.
  ch.publish('openstack', topic, Buffer.from(JSON.stringify({ method: 'v1', args: { ok: true }, _unique_id: hexId() })), json);
  ch.publish('openstack', topic, deflateSync(envelope({ method: 'zipped', args: {} })), { ...json, headers: { compression: 'application/x-gzip' } });
  const calls = await within(server.until(2), 'the valid messages after the garbage');
  for (const call of calls) await call.ack();
  assert.equal(
    calls.map((c) => [c.method, c.args]),
    [
      ['v1', { ok: true }],
      ['zipped', {}],
    ],
  );
  const warnings = logs.records.filter((r) => r.level === 'warn' && r.message.includes('malformed'));
  logs.restore();
  assert.is(warnings.length, garbage.length, 'one warning per malformed message');
  assert.match(String(warnings[0]?.fields?.['reason']), /not application\/json|JSON/);
  assert.match(String(warnings[3]?.fields?.['reason']), /envelope version "3.0"/);
  assert.is(warnings[0]?.fields?.['routingKey'], topic);
  await ch.close();
  server.stop();
  await driver.close();
  assert.is(await broker.messageCount(topic), 0, 'rejected without requeue: nothing comes back');
  await broker.deleteQueues(topic, `${topic}.a`);
});

Malformed('should reject and log malformed notifications and replies, and keep consuming', async ({ driver, broker }) => {
  const topic = uniqueTopic('notifications');
  const listener = record((onReady) => driver.listenForNotifications([{ target: target({ topic }), priority: 'info' }], { onReady }));
  await within(listener.ready, 'listener consuming');
  const { address, replies$ } = await driver.replyChannel();
  const replies = record(() => replies$);
  const logs = captureLogs('rx-messaging.amqp');
  const ch = await broker.channel();
  ch.publish('openstack', `${topic}.info`, envelope({ message_id: 'm', event_type: 'e', priority: 'LOUD', timestamp: 't', payload: {} }), json);
  ch.publish('openstack', `${topic}.info`, envelope({ event_type: 'e', priority: 'INFO', timestamp: 't' }), json);
  ch.publish('', address, envelope({ result: 1, ending: true }), json);
  ch.publish('', address, Buffer.from('nope'), json);
  ch.publish('openstack', `${topic}.info`, envelope({ message_id: 'ok', publisher_id: 'p', event_type: 'e', priority: 'INFO', timestamp: 't', payload: { fine: true } }), json);
  ch.publish('', address, envelope({ _msg_id: 'm1', result: 2, failure: null, ending: true }), json);
  const [notification] = await within(listener.until(1), 'the valid notification');
  assert.equal(notification!.payload, { fine: true });
  await notification!.ack();
  await within(
    logs.until(4, (r) => r.level === 'warn'),
    'four warnings',
  );
  logs.restore();
  assert.ok(logs.records.some((r) => String(r.fields?.['reason']).includes('"LOUD"')));
  assert.ok(logs.records.some((r) => String(r.fields?.['reason']).includes("'_msg_id'")));
  assert.equal(await within(replies.until(1), 'the valid reply'), [{ msgId: 'm1', result: 2, failure: null, ending: true }]);
  replies.stop();
  await ch.close();
  await driver.close();
  await broker.deleteQueues(`${topic}.info`, address);
});

Malformed.run();
