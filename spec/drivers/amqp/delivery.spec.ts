import { inflateSync } from 'node:zlib';
import type { ConsumeMessage } from 'amqplib';
import { firstValueFrom, map, merge, take, tap, toArray } from 'rxjs';
import * as assert from 'uvu/assert';
import type { Driver } from '../../../lib/driver/driver.js';
import type { IncomingCall, RpcRequest } from '../../../lib/driver/rpc.js';
import type { IncomingNotification, Notification } from '../../../lib/driver/notifications.js';
import { MessageDeliveryFailure, MessageUndeliverable } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { PRIORITIES, type Priority } from '../../../lib/core/priority.js';
import { target } from '../../../lib/core/target.js';
import { serviceSuite } from '../../helpers/services.js';
import { captureLogs } from '../../helpers/logs.js';
import { brokerUrl, openDriver, rawBroker, record, rejectionOf, uniqueTopic, within, type RawBroker } from './support.js';

interface Context {
  driver: Driver;
  broker: RawBroker;
  /** Queues a spec made, deleted after it. */
  queues: string[];
}

const Delivery = await serviceSuite<Context>('amqp delivery through the driver contract', ['rabbitmq'], { queues: [] } as unknown as Context);

Delivery.before.each(async (context) => {
  // oslo's way back, through reply queues: direct reply-to (between rx-messaging drivers) has its own spec.
  context.driver = await openDriver();
  context.broker = await rawBroker();
  context.queues = [];
});

Delivery.after.each(async ({ driver, broker, queues }) => {
  await driver.close();
  if (queues.length) await broker.deleteQueues(...queues);
  await broker.close();
});

const cast = (method: string, args: Record<string, unknown> = {}): RpcRequest => ({ method, args, context: { user_id: 'u1' }, uniqueId: hexId() });

const notification = (priority: Priority, payload: unknown = { n: 1 }): Notification => ({
  messageId: '5f5127be-2f82-408c-a20f-88817eb4b14c',
  publisherId: 'compute.host1',
  eventType: 'compute.instance.create.end',
  priority,
  payload,
  timestamp: '2026-11-22 05:25:21.387733',
  context: { user_id: 'u1', request_id: 'req-n1' },
});

/** Consumes `queue` (bound to `exchange` with `routingKey`) raw, as a third party would see the wire. */
async function wiretap(broker: RawBroker, exchange: string, routingKey: string, queues: string[]): Promise<() => Promise<ConsumeMessage>> {
  const ch = await broker.channel();
  const queue = `tap_${hexId()}`;
  queues.push(queue);
  await ch.assertQueue(queue, { durable: false, autoDelete: false });
  await ch.bindQueue(queue, exchange, routingKey);
  const received: ConsumeMessage[] = [];
  const waiting: ((m: ConsumeMessage) => void)[] = [];
  await ch.consume(
    queue,
    (m) => {
      if (!m) return;
      const waiter = waiting.shift();
      if (waiter) waiter(m);
      else received.push(m);
    },
    { noAck: true },
  );
  return () => {
    const next = received.shift();
    return next ? Promise.resolve(next) : new Promise((resolve) => waiting.push(resolve));
  };
}

/** The first `count` replies sent to `queue`, decoded from oslo's envelope, in arrival order. */
async function takeFrom(broker: RawBroker, queue: string, count: number): Promise<{ result: unknown }[]> {
  const ch = await broker.channel();
  const replies: { result: unknown }[] = [];
  await new Promise<void>((resolve) => {
    void ch.consume(
      queue,
      (m) => {
        if (!m) return;
        replies.push(JSON.parse(JSON.parse(m.content.toString('utf8'))['oslo.message']));
        if (replies.length === count) resolve();
      },
      { noAck: true },
    );
  });
  await ch.close();
  return replies;
}

Delivery('should deliver a cast to the topic and a call to the server, and route replies back', async ({ driver, queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server a consuming');
  const { address, replies$ } = await driver.replyChannel();
  queues.push(address);

  await driver.send(target({ topic }), cast('note', { n: 1 }));
  const msgId = hexId();
  const request = { ...cast('echo', { x: 1 }), namespace: 'ns', version: '2.1', call: { msgId, replyTo: address, timeoutMs: 5000, callMonitorTimeout: 4_000 } };
  await driver.send(target({ topic, server: 'a' }), request);
  const [note, call] = (await within(server.until(2), 'the cast and the call')) as [IncomingCall, IncomingCall];
  assert.is(note.method, 'note');
  assert.equal(note.args, { n: 1 });
  assert.equal(note.context, { user_id: 'u1' });
  assert.is(note.call, undefined);
  assert.is(call.method, 'echo');
  assert.is(call.namespace, 'ns');
  assert.is(call.version, '2.1');
  assert.equal(call.call, { msgId, replyTo: address, timeoutMs: 5000, callMonitorTimeout: 4_000 });
  assert.is(call.uniqueId, request.uniqueId);
  assert.is(call.redelivered, false);

  const replies = firstValueFrom(replies$.pipe(take(3), toArray()));
  await call.heartbeat();
  await call.reply({ result: { x: 1 }, failure: null, ending: false });
  await call.reply({ result: null, failure: null, ending: true });
  assert.equal(await within(replies, 'three replies'), [
    { msgId, result: null, failure: null, ending: false },
    { msgId, result: { x: 1 }, failure: null, ending: false },
    { msgId, result: null, failure: null, ending: true },
  ]);
});

Delivery('should keep every cast whole and in order through bursts that fill the socket, and after them', async ({ driver, queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  // Acked on arrival: unacked, the consumer would stop at its prefetch (rabbit_qos_prefetch_count).
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }).pipe(tap((call) => void call.ack())));
  await within(server.ready, 'server a consuming');
  // Bursts sent in one event-loop turn, large (several frames each) then small: the socket asks
  // for a drain, frames queue behind it, then go straight to the socket again.
  const pad = 'x'.repeat(9000);
  let seq = 0;
  const burst = (count: number, size: number) =>
    Promise.all(Array.from({ length: count }, () => driver.send(target({ topic, server: 'a' }), cast('n', { seq: seq++, pad: pad.slice(0, size) }))));
  await burst(300, 9000);
  await burst(300, 10);
  await burst(300, 9000);
  const received = (await within(server.until(900), '900 casts')) as IncomingCall[];
  assert.equal(
    received.map((call) => call.args['seq']),
    Array.from({ length: 900 }, (_, i) => i),
  );
  assert.ok(received.every((call, i) => (call.args['pad'] as string).length === (i >= 300 && i < 600 ? 10 : 9000)));
});

Delivery('should share a topic between servers and give each server its fanout copy', async ({ driver, queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`, `${topic}.b`);
  const servers = record((onReady) => {
    let ready = 0;
    const each = () => ++ready === 2 && onReady();
    const listen = (server: string) => driver.listen(target({ topic, server }), { onReady: each }).pipe(map((call) => ({ server, call })));
    return merge(listen('a'), listen('b'));
  });
  await within(servers.ready, 'both servers consuming');
  await driver.send(target({ topic, fanout: true }), cast('everyone'));
  const fanout = await within(servers.until(2), 'the fanout cast at both servers');
  assert.equal(fanout.map((r) => r.server).sort(), ['a', 'b']);
  for (let n = 0; n < 4; n++) await driver.send(target({ topic }), cast('someone', { n }));
  const shared = (await within(servers.until(6), 'the four topic casts')).slice(2);
  assert.equal(shared.map((r) => r.call.args['n']).sort(), [0, 1, 2, 3], 'each topic cast reached exactly one server');
  assert.equal([...new Set(shared.map((r) => r.server))].sort(), ['a', 'b'], 'round-robin over both');
});

Delivery("should put oslo's properties and envelope on the wire, and expire call requests", async ({ driver, broker, queues }) => {
  const topic = uniqueTopic();
  const next = await wiretap(broker, 'openstack', topic, queues);
  const request = { ...cast('echo', { x: 1 }), call: { msgId: 'aabdfdbbe21a457589a955e37bf084e4', replyTo: 'reply_x', timeoutMs: 60000 } };
  await driver.send(target({ topic }), request);
  await driver.send(target({ topic }), cast('note', { n: 1 }));
  const [call, note] = [await next(), await next()];
  assert.is(call.properties.contentType, 'application/json');
  assert.is(call.properties.contentEncoding, 'utf-8');
  assert.is(call.properties.deliveryMode, 2);
  assert.is(call.properties.priority, 0);
  assert.is(call.properties.expiration, '60000');
  assert.is(note.properties.expiration, undefined, 'casts do not expire');
  const envelope = JSON.parse(call.content.toString('utf8'));
  assert.equal(Object.keys(envelope).sort(), ['oslo.message', 'oslo.version']);
  assert.is(envelope['oslo.version'], '2.0');
  assert.equal(JSON.parse(envelope['oslo.message']), {
    method: 'echo',
    args: { x: 1 },
    _msg_id: 'aabdfdbbe21a457589a955e37bf084e4',
    _reply_q: 'reply_x',
    _timeout: null,
    _unique_id: request.uniqueId,
    _context_user_id: 'u1',
  });
});

Delivery('should compress with kombu_compression=gzip (zlib data) and read it back', async ({ broker, queues }) => {
  const driver = await openDriver(brokerUrl({ query: 'kombu_compression=gzip' }));
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const next = await wiretap(broker, 'openstack', topic, queues);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server consuming');
  await driver.send(target({ topic }), cast('zipped', { text: 'x'.repeat(1000) }));
  const raw = await next();
  assert.is(raw.properties.headers?.['compression'], 'application/x-gzip');
  assert.ok(raw.content.length < 200, 'compressed');
  assert.is(JSON.parse(inflateSync(raw.content).toString('utf8'))['oslo.version'], '2.0');
  const [received] = await within(server.until(1), 'the compressed cast');
  assert.is(received?.args['text'], 'x'.repeat(1000));
  await driver.close();
});

Delivery('should fail an at-least-once send nobody can receive with MessageUndeliverable, and drop it otherwise', async ({ driver }) => {
  const nobody = target({ topic: uniqueTopic('nobody') });
  const error = await rejectionOf(driver.send(nobody, cast('lost'), { atLeastOnce: true }));
  assert.instance(error, MessageUndeliverable);
  assert.is((error as MessageUndeliverable).routingKey, nobody.topic);
  await driver.send(nobody, cast('lost'));
  const fanout = await rejectionOf(driver.send(target({ topic: uniqueTopic('nobody'), fanout: true }), cast('lost'), { atLeastOnce: true }));
  assert.instance(fanout, MessageUndeliverable);
});

Delivery('should deliver notifications v2 and v1 at every priority, with their fields', async ({ driver, broker, queues }) => {
  const topic = uniqueTopic('notifications');
  queues.push(...PRIORITIES.map((p) => `${topic}.${p}`));
  const next = await wiretap(broker, 'openstack', `${topic}.*`, queues);
  const listener = record((onReady) =>
    driver.listenForNotifications(
      PRIORITIES.map((priority) => ({ target: target({ topic }), priority })),
      { onReady },
    ),
  );
  await within(listener.ready, 'the listener consuming');
  for (const priority of PRIORITIES) await driver.notify(target({ topic }), notification(priority, { priority, v: 2 }));
  for (const priority of PRIORITIES) await driver.notify(target({ topic }), notification(priority, { priority, v: 1 }), { version: 1 });
  const received = await within(listener.until(14), 'fourteen notifications');
  for (const n of received) await n.ack();
  const expected = (v: number) => PRIORITIES.map((priority) => [priority, { priority, v }]);
  assert.equal(
    received.filter((n) => (n.payload as { v: number }).v === 2).map((n) => [n.priority, n.payload]),
    expected(2),
  );
  assert.equal(
    received.filter((n) => (n.payload as { v: number }).v === 1).map((n) => [n.priority, n.payload]),
    expected(1),
  );
  const [first] = received as [IncomingNotification];
  assert.is(first.messageId, '5f5127be-2f82-408c-a20f-88817eb4b14c');
  assert.is(first.publisherId, 'compute.host1');
  assert.is(first.eventType, 'compute.instance.create.end');
  assert.is(first.timestamp, '2026-11-22 05:25:21.387733');
  assert.equal(first.context, { user_id: 'u1', request_id: 'req-n1' });
  assert.match(first.uniqueId ?? '', /^[0-9a-f]{32}$/);

  const wire = await Promise.all(Array.from({ length: 14 }, () => next()));
  const v2 = JSON.parse(wire[0]!.content.toString('utf8'));
  const v1 = JSON.parse(wire[7]!.content.toString('utf8'));
  assert.is(wire[0]!.fields.routingKey, `${topic}.audit`);
  assert.is(v2['oslo.version'], '2.0');
  assert.is(JSON.parse(v2['oslo.message']).priority, 'AUDIT');
  assert.is(v1['oslo.version'], undefined, 'v1 is not enveloped');
  assert.is(v1.priority, 'AUDIT');
  assert.is(v1._context_user_id, 'u1');
});

Delivery('should give every pool its own copy, and the plain listener its own', async ({ driver, queues }) => {
  const topic = uniqueTopic('notifications');
  const [pool1, pool2] = [uniqueTopic('pool'), uniqueTopic('pool')];
  queues.push(`${topic}.info`, pool1, pool2);
  const bindings = [{ target: target({ topic }), priority: 'info' as const }];
  const plain = record((onReady) => driver.listenForNotifications(bindings, { onReady }));
  const first = record((onReady) => driver.listenForNotifications(bindings, { onReady, pool: pool1 }));
  const second = record((onReady) => driver.listenForNotifications(bindings, { onReady, pool: pool2 }));
  await within(Promise.all([plain.ready, first.ready, second.ready]), 'three listeners consuming');
  await driver.notify(target({ topic }), notification('info'));
  const copies = await within(Promise.all([plain.until(1), first.until(1), second.until(1)]), 'a copy each');
  for (const [n] of copies) await n!.ack();
});

Delivery('should redeliver a requeued notification, marked redelivered, and forget an acked one', async ({ driver, broker, queues }) => {
  const topic = uniqueTopic('notifications');
  queues.push(`${topic}.error`);
  const listener = record((onReady) => driver.listenForNotifications([{ target: target({ topic }), priority: 'error' }], { onReady }));
  await within(listener.ready, 'listener consuming');
  await driver.notify(target({ topic }), notification('error'));
  const [first] = await within(listener.until(1), 'the notification');
  assert.is(first!.redelivered, false);
  await first!.requeue();
  const [, again] = await within(listener.until(2), 'the notification again');
  assert.is(again!.redelivered, true);
  assert.is(again!.messageId, first!.messageId);
  await again!.ack();
  listener.stop();
  await driver.close();
  assert.is(await broker.messageCount(`${topic}.error`), 0);
});

Delivery('should give back what arrives after a listener unsubscribed, so another listener gets it', async ({ driver, queues }) => {
  const topic = uniqueTopic('notifications');
  queues.push(`${topic}.info`);
  const bindings = [{ target: target({ topic }), priority: 'info' as const }];
  const total = 300;
  for (let n = 0; n < total; n++) await driver.notify(target({ topic }), notification('info', { n }));
  let first = 0;
  let stopped!: () => void;
  const firstDone = new Promise<void>((resolve) => (stopped = resolve));
  const subscription = driver.listenForNotifications(bindings).subscribe((n) => {
    void n.ack();
    if (++first === 50) {
      subscription.unsubscribe(); // with up to a prefetch's worth already on its way
      stopped();
    }
  });
  await within(firstDone, 'the first listener taking 50');
  // Acking as they come: the prefetch holds back what is not settled.
  const second = record((onReady) => driver.listenForNotifications(bindings, { onReady }).pipe(tap((n) => void n.ack())));
  const rest = await within(second.until(total - 50), 'the other 250 at the second listener');
  assert.is(new Set(rest.map((n) => (n.payload as { n: number }).n)).size, total - 50);
});

Delivery('should leave RPC settlement to the consumer: a requeue comes back redelivered, an ack is gone', async ({ driver, broker, queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server consuming');
  await driver.send(target({ topic }), cast('twice'));
  const [first] = await within(server.until(1), 'the cast');
  await first!.requeue();
  const [, again] = await within(server.until(2), 'the cast again');
  assert.is(again!.redelivered, true);
  assert.is(again!.uniqueId, first!.uniqueId);
  await again!.ack();
  await again!.ack(); // settling twice does nothing (a second ack would close the channel with a 406)
  server.stop();
  await driver.close();
  assert.is(await broker.messageCount(topic), 0);
});

Delivery('should hand an unsettled request to another server once its transport closes', async ({ driver, queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`, `${topic}.b`);
  const first = await openDriver();
  const a = record((onReady) => first.listen(target({ topic, server: 'a' }), { onReady }));
  await within(a.ready, 'server a consuming');
  await driver.send(target({ topic }), cast('crashy'));
  await within(a.until(1), 'the cast at a');
  await first.close(); // a went away without settling it
  const b = record((onReady) => driver.listen(target({ topic, server: 'b' }), { onReady }));
  const [again] = await within(b.until(1), 'the cast at b');
  assert.is(again!.redelivered, true);
  await again!.ack();
});

Delivery('should retry a reply whose queue is missing, deliver it once the queue appears', async ({ driver, broker, queues }) => {
  const topic = uniqueTopic();
  const replyTo = `reply_${hexId()}`;
  queues.push(topic, `${topic}.a`, replyTo);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server consuming');
  await driver.send(target({ topic }), { ...cast('late'), call: { msgId: 'm1', replyTo, timeoutMs: 60_000 } });
  const [call] = await within(server.until(1), 'the call');
  const logs = captureLogs('rx-messaging.amqp');
  await within(call!.reply({ result: 'late but there', failure: null, ending: true }), 'the reply handed over');
  await within(
    logs.until(1, (r) => r.message.includes('could not be sent')),
    'a returned reply',
  );
  logs.restore();
  assert.is(await broker.declareQueue(replyTo, { durable: false, autoDelete: false }), 200);
  const [got] = await within(takeFrom(broker, replyTo, 1), 'the reply delivered');
  assert.equal(got!.result, 'late but there');
});

Delivery("should free the server's handlers while replies wait for a missing queue, and deliver them in order once it appears", async ({ driver, broker, queues }) => {
  const topic = uniqueTopic();
  const replyTo = `reply_${hexId()}`;
  queues.push(topic, `${topic}.a`, replyTo);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server consuming');
  const count = 30;
  for (let i = 0; i < count; i++) await driver.send(target({ topic }), { ...cast('late'), call: { msgId: `m${i}`, replyTo, timeoutMs: 60_000 } });
  const calls = await within(server.until(count), 'the calls');
  // Every reply is handed over while the queue is still missing: no handler waits for it.
  await within(Promise.all(calls.map((call, i) => call.reply({ result: i, failure: null, ending: true }))), 'every reply handed over');
  assert.is(await broker.declareQueue(replyTo, { durable: false, autoDelete: false }), 200);
  const got = await within(takeFrom(broker, replyTo, count), 'every reply delivered');
  assert.equal(
    got.map((reply) => reply.result),
    calls.map((_, i) => i),
  );
});

Delivery('should drop a reply after kombu_missing_consumer_retry_timeout and remember the queue as gone', async ({ queues }) => {
  const driver = await openDriver(brokerUrl({ query: 'kombu_missing_consumer_retry_timeout=0.5' }));
  const topic = uniqueTopic();
  const replyTo = `reply_${hexId()}`;
  queues.push(topic, `${topic}.a`);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server consuming');
  for (const msgId of ['m1', 'm2']) await driver.send(target({ topic }), { ...cast('gone'), call: { msgId, replyTo, timeoutMs: 60_000 } });
  const [first, second] = (await within(server.until(2), 'two calls')) as [IncomingCall, IncomingCall];
  const logs = captureLogs('rx-messaging.amqp');
  await within(first.reply({ result: 1, failure: null, ending: true }), 'the first reply handed over');
  await within(
    logs.until(1, (r) => r.level === 'error' && r.message.includes('Abandoning')),
    'the first reply given up',
  );
  await within(second.reply({ result: 2, failure: null, ending: true }), 'the second reply dropped');
  assert.ok(logs.records.some((r) => r.level === 'warn' && r.message.includes(`${replyTo} does not exist`)));
  logs.restore();
  await driver.close();
});

Delivery("should fail a heartbeat whose caller's queue is missing with MessageDeliveryFailure", async ({ driver, queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server consuming');
  await driver.send(target({ topic }), { ...cast('slow'), call: { msgId: 'm1', replyTo: `reply_${hexId()}`, timeoutMs: 60_000, callMonitorTimeout: 2_000 } });
  const [call] = await within(server.until(1), 'the call');
  const error = await rejectionOf(call!.heartbeat());
  assert.instance(error, MessageDeliveryFailure);
  assert.match(error.message, /Heartbeat/);
});

Delivery.run();
