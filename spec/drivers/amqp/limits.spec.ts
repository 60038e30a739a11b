import { deflateSync } from 'node:zlib';
import * as assert from 'uvu/assert';
import type { Driver } from '../../../lib/driver/driver.js';
import type { RpcRequest } from '../../../lib/driver/rpc.js';
import { InvalidTransportUrl, MessageDeliveryFailure, TransportClosed } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { target } from '../../../lib/core/target.js';
import { firstValueFrom, filter } from 'rxjs';
import { serviceSuite } from '../../helpers/services.js';
import { captureLogs } from '../../helpers/logs.js';
import { brokerHost, brokerPort, brokerUrl, openDriver, rawBroker, type RawBroker, record, uniqueTopic, within } from './support.js';
import { tcpProxy } from '../../../testing/tcp-proxy.js';
import { rejection } from '../../helpers/thrown.js';

const Limits = await serviceSuite<{ driver: Driver; broker: RawBroker }>('amqp limits', ['rabbitmq']);

Limits.before.each(async (context) => {
  context.broker = await rawBroker();
});

Limits.after.each(async ({ broker }) => {
  await broker.close();
});

const json = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, headers: { compression: 'application/x-gzip' } };
const zipped = (message: unknown, pad = 0) => deflateSync(Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(message) }) + ' '.repeat(pad)));
const cast = (method: string, args: Record<string, unknown> = {}): RpcRequest => ({ method, args, context: {}, uniqueId: hexId() });

/** A driver through a proxy that then cuts it off and refuses every reconnect: the broker down, as its clients see it. */
async function cutOff(query: string, options: Record<string, unknown> = {}): Promise<{ driver: Driver; close(): Promise<void> }> {
  const proxy = await tcpProxy(brokerHost(), brokerPort());
  const driver = await openDriver(brokerUrl({ port: proxy.port, query: `rabbit_retry_interval=0.05&rabbit_retry_backoff=0.05&rabbit_interval_max=0.2${query}` }), options);
  await driver.send(target({ topic: 'nowhere' }), cast('connected'));
  proxy.refuse(true);
  proxy.cut();
  await within(firstValueFrom(driver.status$.pipe(filter((s) => s.state === 'reconnecting'))), 'reconnecting');
  const close = async () => {
    await driver.close();
    await proxy.close();
  };
  return { driver, close };
}

Limits('should reject and log a compressed body that inflates past rabbit_max_inflated_bytes (16 MiB by default), and keep consuming', async ({ broker }) => {
  const driver = await openDriver();
  const topic = uniqueTopic();
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server consuming');
  const logs = captureLogs('rx-messaging.amqp');
  const ch = await broker.channel();
  // 32 MiB of spaces after the envelope: a few tens of kB on the wire.
  const bomb = zipped({ method: 'bomb', args: {} }, 32 * 1024 * 1024);
  assert.ok(bomb.length < 100_000);
  ch.publish('openstack', topic, bomb, json);
  ch.publish('openstack', topic, zipped({ method: 'after', args: {} }), json);
  const [call] = await within(server.until(1), 'the message after the bomb');
  await call!.ack();
  const warnings = logs.records.filter((r) => r.level === 'warn' && r.message.includes('malformed'));
  logs.restore();
  assert.is(call!.method, 'after');
  assert.is(warnings.length, 1);
  assert.match(String(warnings[0]?.fields?.['reason']), /inflates past rabbit_max_inflated_bytes \(16777216 bytes\)/);
  await ch.close();
  server.stop();
  await driver.close();
  assert.is(await broker.messageCount(topic), 0, 'rejected without requeue');
  await broker.deleteQueues(topic, `${topic}.a`);
});

Limits('should take rabbit_max_inflated_bytes from the URL', async ({ broker }) => {
  const driver = await openDriver(brokerUrl({ query: 'rabbit_max_inflated_bytes=1000' }));
  const topic = uniqueTopic();
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server consuming');
  const logs = captureLogs('rx-messaging.amqp');
  const ch = await broker.channel();
  ch.publish('openstack', topic, zipped({ method: 'big', args: { pad: 'x'.repeat(2000) } }), json);
  ch.publish('openstack', topic, zipped({ method: 'small', args: {} }), json);
  const [call] = await within(server.until(1), 'the small message');
  await call!.ack();
  logs.restore();
  assert.is(call!.method, 'small');
  assert.match(String(logs.records.find((r) => r.level === 'warn')?.fields?.['reason']), /\(1000 bytes\)/);
  await ch.close();
  server.stop();
  await driver.close();
  await broker.deleteQueues(topic, `${topic}.a`);
});

Limits('should fail a send at once with MessageDeliveryFailure once rabbit_max_pending_sends sends wait for a connection', async () => {
  const { driver, close } = await cutOff('', { rabbit_max_pending_sends: 3 });
  const waiting = [1, 2, 3].map((n) => driver.send(target({ topic: 'nowhere' }), cast('n', { n })).catch((error: unknown) => error));
  const error = await rejection(driver.send(target({ topic: 'nowhere' }), cast('fourth')));
  assert.instance(error, MessageDeliveryFailure);
  assert.match((error as Error).message, /3 sends .* already wait .*rabbit_max_pending_sends \(3\)/);
  await close();
  for (const outcome of await Promise.all(waiting)) assert.instance(outcome, TransportClosed, 'the waiting sends end with the transport');
});

Limits('should fail a send at once once the sends waiting for a connection would pass rabbit_max_pending_bytes', async () => {
  const { driver, close } = await cutOff('&rabbit_max_pending_bytes=4096');
  const waiting = driver.send(target({ topic: 'nowhere' }), cast('small', { pad: 'x'.repeat(1000) })).catch((error: unknown) => error);
  const error = await rejection(driver.send(target({ topic: 'nowhere' }), cast('big', { pad: 'x'.repeat(4000) })));
  assert.instance(error, MessageDeliveryFailure);
  assert.match((error as Error).message, /rabbit_max_pending_bytes \(4096\)/);
  await close();
  assert.instance(await waiting, TransportClosed);
});

Limits('should refuse a limit that is not a whole number >= 1', async () => {
  for (const query of ['rabbit_max_inflated_bytes=0', 'rabbit_max_pending_sends=1.5', 'rabbit_max_pending_bytes=0']) {
    const error = await rejection(openDriver(brokerUrl({ query })));
    assert.instance(error, InvalidTransportUrl, query);
    assert.match((error as Error).message, /must be a whole number >= 1/, query);
  }
});

Limits.run();
