import { firstValueFrom, type Observable, type Subscription, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCodec } from '../../../lib/wire/codec.js';
import type { Driver, TransportStatus } from '../../../lib/driver/driver.js';
import type { IncomingCall, Reply, RpcRequest } from '../../../lib/driver/rpc.js';
import type { Notification } from '../../../lib/driver/notifications.js';
import { InvalidTarget, MessageDeliveryFailure, MessageUndeliverable, TransportClosed } from '../../../lib/core/errors.js';
import { hexId, uuid } from '../../../lib/core/ids.js';
import { setLogSink, type LogRecord } from '../../../lib/core/logger.js';
import type { Priority } from '../../../lib/core/priority.js';
import { notificationQueue, serverQueue, target, topicQueue } from '../../../lib/core/target.js';
import { encodeBody } from '../../../lib/wire/envelope.js';
import { findBroker } from '../../../drivers/memory/broker.js';
import { createMemoryDriver } from '../../../drivers/memory/driver.js';
import { publishRaw, queueDepth } from '../../../testing/memory.js';
import { UnserializableValue } from '../../../lib/core/errors.js';

interface Context {
  drivers: Driver[];
  subscriptions: Subscription[];
  logs: LogRecord[];
  restoreLog: () => void;
}

const Memory = suite<Context>('memory driver', { drivers: [], subscriptions: [], logs: [], restoreLog: () => {} });

Memory.before.each((context) => {
  context.drivers = [];
  context.subscriptions = [];
  context.logs = [];
  context.restoreLog = setLogSink((record) => context.logs.push(record));
});

Memory.after.each(async (context) => {
  for (const subscription of context.subscriptions) subscription.unsubscribe();
  await Promise.all(context.drivers.map((driver) => driver.close()));
  context.restoreLog();
});

// --- helpers ---

const EXCHANGE = 'openstack';
let names = 0;
/** A broker name of its own for each test. */
const freshName = () => `driver-spec-${++names}-${hexId().slice(0, 6)}`;

function open(context: Context, brokerName: string, maxQueueLength = 100_000): Driver {
  const driver = createMemoryDriver({ brokerName, controlExchange: EXCHANGE, maxQueueLength });
  context.drivers.push(driver);
  return driver;
}

/** Runs every scheduled delivery and requeue (microtasks, then setImmediate): no wall-clock wait. */
const settle = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Subscribes and records every value, acking nothing unless `onValue` does. */
function record<T>(context: Context, stream: Observable<T>, onValue?: (value: T) => void): T[] {
  const values: T[] = [];
  context.subscriptions.push(
    stream.subscribe((value) => {
      values.push(value);
      onValue?.(value);
    }),
  );
  return values;
}

const castOf = (method: string, args: Record<string, unknown> = {}, context: Record<string, unknown> = {}): RpcRequest => ({ method, args, context, uniqueId: hexId() });
const callOf = (method: string, replyTo: string, timeoutMs = 10_000, args: Record<string, unknown> = {}): RpcRequest => ({
  ...castOf(method, args),
  call: { msgId: hexId(), replyTo, timeoutMs },
});
const methods = (calls: readonly IncomingCall[]) => calls.map((call) => call.method);

function notificationOf(eventType: string, priority: Priority = 'info'): Notification {
  return { messageId: uuid(), publisherId: 'compute.host-1', eventType, priority, payload: { eventType }, timestamp: '2026-11-22 05:25:21.387733', context: { user_id: 'u1' } };
}

const server = (topic: string, name: string, exchange?: string) => target({ topic, server: name, ...(exchange && { exchange }) });
const warnings = (context: Context) => context.logs.filter((record) => record.level === 'warn').map((record) => record.message);

// --- RPC addressing ---

Memory('should deliver asynchronously, never inside send()', async (context) => {
  const driver = open(context, freshName());
  const got = record(context, driver.listen(server('demo', 'a')));
  const sent = driver.send(target({ topic: 'demo' }), castOf('ping'));
  assert.is(got.length, 0);
  await sent;
  await settle();
  assert.equal(methods(got), ['ping']);
});

Memory('should call onReady once the consumers are in place', async (context) => {
  const driver = open(context, freshName());
  let ready = 0;
  record(context, driver.listen(server('demo', 'a'), { onReady: () => ready++ }));
  assert.is(ready, 1);
});

Memory('should share a topic round-robin between two listeners', async (context) => {
  const driver = open(context, freshName());
  const a = record(context, driver.listen(server('demo', 'a')));
  const b = record(context, driver.listen(server('demo', 'b')));
  for (const method of ['m1', 'm2', 'm3', 'm4']) await driver.send(target({ topic: 'demo' }), castOf(method));
  await settle();
  assert.equal(methods(a), ['m1', 'm3']);
  assert.equal(methods(b), ['m2', 'm4']);
});

Memory('should refuse a send to a queue holding max_queue_length messages, and take it again once one is consumed', async (context) => {
  const name = freshName();
  const driver = open(context, name, 3);
  for (const method of ['m1', 'm2', 'm3']) await driver.send(target({ topic: 'demo' }), castOf(method));
  const error = await driver.send(target({ topic: 'demo' }), castOf('m4')).catch((e: unknown) => e);
  assert.instance(error, MessageDeliveryFailure);
  assert.match((error as Error).message, /'demo' is full: it holds 3 messages .*max_queue_length/);
  assert.is(queueDepth(name, EXCHANGE, 'demo'), 3);
  const a = record(context, driver.listen(server('demo', 'a')));
  await settle();
  await driver.send(target({ topic: 'demo' }), castOf('m5'));
  await settle();
  assert.equal(methods(a), ['m1', 'm2', 'm3', 'm5']);
});

Memory('should deliver to the named server only', async (context) => {
  const driver = open(context, freshName());
  const a = record(context, driver.listen(server('demo', 'a')));
  const b = record(context, driver.listen(server('demo', 'b')));
  await driver.send(target({ topic: 'demo', server: 'b' }), castOf('only-b'));
  await driver.send(target({ topic: 'demo', server: 'b' }), castOf('only-b-again'));
  await settle();
  assert.equal(methods(a), []);
  assert.equal(methods(b), ['only-b', 'only-b-again']);
});

Memory('should copy a fanout cast to every server bound at the time', async (context) => {
  const driver = open(context, freshName());
  const a = record(context, driver.listen(server('demo', 'a')));
  const b = record(context, driver.listen(server('demo', 'b')));
  await driver.send(target({ topic: 'demo', fanout: true }), castOf('everyone'));
  await settle();
  assert.equal(methods(a), ['everyone']);
  assert.equal(methods(b), ['everyone']);
});

Memory('should drop a fanout cast nobody is bound to', async (context) => {
  const driver = open(context, freshName());
  await driver.send(target({ topic: 'demo', fanout: true }), castOf('lost'));
  const a = record(context, driver.listen(server('demo', 'a')));
  await driver.send(target({ topic: 'demo', fanout: true }), castOf('heard'));
  await settle();
  assert.equal(methods(a), ['heard']);
});

Memory('should keep casts to a topic or server nobody listens to until a listener comes', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  await driver.send(target({ topic: 'demo' }), castOf('to-topic'));
  await driver.send(target({ topic: 'demo', server: 'a' }), castOf('to-server'));
  await settle();
  assert.is(queueDepth(name, EXCHANGE, topicQueue(target({ topic: 'demo' }))), 1);
  assert.is(queueDepth(name, EXCHANGE, serverQueue(server('demo', 'a'))), 1);
  const a = record(context, driver.listen(server('demo', 'a')));
  await settle();
  assert.equal(methods(a).sort(), ['to-server', 'to-topic']);
});

Memory('should expire a call request nobody took within its timeout, and keep casts', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  await driver.send(target({ topic: 'demo' }), callOf('stale-call', 'reply_nobody', 5));
  await driver.send(target({ topic: 'demo' }), castOf('kept-cast'));
  await sleep(30);
  const a = record(context, driver.listen(server('demo', 'a')));
  await settle();
  assert.equal(methods(a), ['kept-cast']);
});

Memory('should free expired call requests while nobody listens', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  const queue = serverQueue(server('demo', 'gone'));
  await driver.send(target({ topic: 'demo', server: 'gone' }), callOf('c1', 'reply_nobody', 5));
  await driver.send(target({ topic: 'demo', server: 'gone' }), callOf('c2', 'reply_nobody', 5));
  assert.is(queueDepth(name, EXCHANGE, queue), 2);
  // Expiry runs on a timer: wait for it with a generous deadline rather than an exact time.
  const deadline = Date.now() + 5_000;
  while (queueDepth(name, EXCHANGE, queue) && Date.now() < deadline) await sleep(10);
  assert.is(queueDepth(name, EXCHANGE, queue), 0);
});

Memory('should hand the call timeout and monitor timeout to the server', async (context) => {
  const driver = open(context, freshName());
  const a = record(context, driver.listen(server('demo', 'a')));
  const request = callOf('long', 'reply_x', 30_000);
  await driver.send(target({ topic: 'demo' }), { ...request, call: { ...request.call!, callMonitorTimeout: 4_000 } });
  await settle();
  assert.equal(a[0]?.call, { msgId: request.call!.msgId, replyTo: 'reply_x', timeoutMs: 30_000, callMonitorTimeout: 4_000 });
});

Memory('should reject at-least-once sends nobody consumes with MessageUndeliverable', async (context) => {
  const driver = open(context, freshName());
  const atLeastOnce = { atLeastOnce: true };
  for (const t of [target({ topic: 'demo' }), target({ topic: 'demo', server: 'a' }), target({ topic: 'demo', fanout: true })]) {
    const error = await driver.send(t, castOf('m'), atLeastOnce).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, MessageUndeliverable, `for ${JSON.stringify(t)}`);
  }
  const undeliverable = (await driver.send(target({ topic: 'demo' }), castOf('m'), atLeastOnce).catch((e: unknown) => e)) as MessageUndeliverable;
  assert.is(undeliverable.exchange, EXCHANGE);
  assert.is(undeliverable.routingKey, 'demo');
  const a = record(context, driver.listen(server('demo', 'a')));
  for (const t of [target({ topic: 'demo' }), target({ topic: 'demo', server: 'a' }), target({ topic: 'demo', fanout: true })]) {
    await driver.send(t, castOf('delivered'), atLeastOnce);
  }
  await settle();
  assert.equal(methods(a), ['delivered', 'delivered', 'delivered']);
});

Memory('should reject a target that lacks what its role needs', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  const error = await driver.send(target({ topic: 'demo', fanout: true }), callOf('m', 'reply_x')).catch((e: unknown) => e);
  assert.instance(error, InvalidTarget);
  const listenError = await firstValueFrom(driver.listen(target({ topic: 'demo' }))).catch((e: unknown) => e);
  assert.instance(listenError, InvalidTarget);
  const bindings = [
    { target: target({ topic: 'notifications' }), priority: 'info' as const },
    { target: target({ topic: 'notifications', server: 'a' }), priority: 'info' as const },
  ];
  const notificationsError = await firstValueFrom(driver.listenForNotifications(bindings, { pool: 'audit' })).catch((e: unknown) => e);
  assert.instance(notificationsError, InvalidTarget);
  // Nothing was bound: the pool gets no copy.
  await driver.notify(target({ topic: 'notifications' }), notificationOf('e'));
  assert.is(findBroker(name)!.exchanges.get(EXCHANGE)!.queues.get('audit'), undefined);
});

// --- requeue and acknowledgement ---

Memory('should redeliver a requeued message, marked redelivered, and ignore a second settle', async (context) => {
  const driver = open(context, freshName());
  const got = record(context, driver.listen(server('demo', 'a')), (incoming) => {
    if (!incoming.redelivered) {
      void incoming.requeue();
      void incoming.requeue();
    } else {
      void incoming.ack();
      void incoming.ack();
      void incoming.requeue();
    }
  });
  await driver.send(target({ topic: 'demo' }), castOf('again'));
  for (let i = 0; i < 3; i++) await settle();
  assert.equal(
    got.map((incoming) => [incoming.method, incoming.redelivered]),
    [
      ['again', false],
      ['again', true],
    ],
  );
});

Memory('should give the unacked messages of an unsubscribed listener to the next one', async (context) => {
  const driver = open(context, freshName());
  const first = driver.listen(server('demo', 'a')).subscribe();
  await driver.send(target({ topic: 'demo' }), castOf('unacked'));
  await settle();
  first.unsubscribe();
  const b = record(context, driver.listen(server('demo', 'b')));
  await settle();
  assert.equal(
    b.map((incoming) => [incoming.method, incoming.redelivered]),
    [['unacked', true]],
  );
});

// --- encoding through the wire format ---

Memory('should carry args and context through the oslo wire format', async (context) => {
  const driver = open(context, freshName());
  const got = record(context, driver.listen(server('demo', 'a')));
  const when = new Date('2026-11-22T05:25:21.387Z');
  await driver.send(target({ topic: 'demo' }), {
    ...castOf('m', { when, list: [1, 'two'], gone: undefined }, { user_id: 'u1', roles: ['admin'] }),
    namespace: 'ns',
    version: '2.1',
  });
  await settle();
  const [incoming] = got;
  assert.ok(incoming);
  assert.is(incoming.args['when'], '2026-11-22T05:25:21.387000', "a Date arrives as oslo's datetime text, as over RabbitMQ");
  assert.equal(incoming.args['list'], [1, 'two']);
  assert.not.ok('gone' in incoming.args);
  assert.equal(incoming.context, { user_id: 'u1', roles: ['admin'] });
  assert.is(incoming.namespace, 'ns');
  assert.is(incoming.version, '2.1');
  assert.not.ok(incoming.call);
});

Memory('should reject a send whose args JSON cannot carry, and queue nothing', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  const cyclic: Record<string, unknown> = {};
  cyclic['self'] = cyclic;
  for (const args of [{ callback: () => 1 }, { cyclic }]) {
    const error = await driver.send(target({ topic: 'demo' }), castOf('m', args)).catch((e: unknown) => e);
    assert.instance(error, UnserializableValue);
  }
  const error = (await driver.send(target({ topic: 'demo' }), castOf('m', { callback: () => 1 })).catch((e: unknown) => e)) as Error;
  assert.match(error.message, /args\.callback is a function/);
  assert.is(queueDepth(name, EXCHANGE, 'demo'), undefined);
});

Memory('should reject malformed messages with a warning and go on consuming', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  const got = record(context, driver.listen(server('demo', 'a')));
  const queue = topicQueue(target({ topic: 'demo' }));
  publishRaw(name, EXCHANGE, queue, Buffer.from('not json {'));
  publishRaw(name, EXCHANGE, queue, Buffer.from(JSON.stringify({ 'oslo.version': '3.0', 'oslo.message': '{}' })));
  publishRaw(name, EXCHANGE, queue, encodeBody(defaultCodec, { args: {} }));
  await driver.send(target({ topic: 'demo' }), castOf('valid'));
  await settle();
  assert.equal(methods(got), ['valid']);
  const warned = warnings(context);
  assert.is(warned.length, 3);
  assert.match(warned[0]!, /not application\/json/);
  assert.match(warned[1]!, /unsupported envelope version "3\.0"/);
  assert.match(warned[2]!, /no 'method'/);
  assert.ok(context.logs.every((log) => log.logger === 'rx-messaging.memory'));
  // Rejected, not requeued: nothing is left to redeliver.
  await settle();
  assert.is(queueDepth(name, EXCHANGE, queue), 0);
  assert.equal(methods(got), ['valid']);
});

Memory('should answer a malformed call that names its reply queue with a MalformedMessage failure', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  record(context, driver.listen(server('demo', 'a')));
  const channel = await driver.replyChannel();
  const replies = record(context, channel.replies$);
  publishRaw(name, EXCHANGE, topicQueue(target({ topic: 'demo' })), encodeBody(defaultCodec, { args: {}, _msg_id: 'm-1', _reply_q: channel.address }));
  await settle();
  await settle();
  assert.is(replies.length, 1);
  assert.is(replies[0]?.msgId, 'm-1');
  assert.is(replies[0]?.failure?.class, 'MalformedMessage');
  assert.match(replies[0]?.failure?.message ?? '', /no 'method'/);
});

Memory("should count redeliveries and dead-letter into <queue>.dead-letter of the queue's exchange", async (context) => {
  const name = freshName();
  const driver = open(context, name);
  const topic = `t-${hexId().slice(0, 6)}`;
  const got = record(context, driver.listenForNotifications([{ target: target({ topic }), priority: 'info' }]), (incoming) => {
    if (incoming.deliveryCount === 0) void incoming.requeue();
    else void incoming.deadLetter?.();
  });
  const calls = record(context, driver.listen(server(topic, 'a')), (incoming) => void incoming.deadLetter?.());
  await settle();
  await driver.notify(target({ topic }), notificationOf('poison'));
  await driver.send(target({ topic }), castOf('poison'));
  await settle();
  await settle();
  assert.equal(
    got.map((incoming) => incoming.deliveryCount),
    [0, 1],
  );
  assert.is(queueDepth(name, EXCHANGE, `${topic}.info.dead-letter`), 1);
  assert.is(queueDepth(name, EXCHANGE, `${topic}.info`), 0);
  assert.equal(methods(calls), ['poison']);
  assert.is(queueDepth(name, EXCHANGE, `${topic}.dead-letter`), 1);
});

// --- replies ---

Memory('should route replies and heartbeats to the caller by its reply address', async (context) => {
  const name = freshName();
  const client = open(context, name);
  const serverSide = open(context, name);
  const channel = await client.replyChannel();
  assert.is((await client.replyChannel()).address, channel.address);
  const replies = record(context, channel.replies$);
  record(context, serverSide.listen(server('demo', 'a')), (incoming) => {
    void incoming.ack();
    void incoming.heartbeat().then(() => incoming.reply({ result: { sum: 3 }, failure: null, ending: true }));
  });
  const request = callOf('add', channel.address);
  await client.send(target({ topic: 'demo' }), request);
  for (let i = 0; i < 3; i++) await settle();
  const msgId = request.call!.msgId;
  assert.equal(replies, [
    { msgId, result: null, failure: null, ending: false },
    { msgId, result: { sum: 3 }, failure: null, ending: true },
  ] satisfies Reply[]);
});

Memory('should carry a failure in oslo form', async (context) => {
  const driver = open(context, freshName());
  const channel = await driver.replyChannel();
  const replies = record(context, channel.replies$);
  const failure = { class: 'ValueError', module: 'builtins', message: 'bad', tb: ['Traceback\n'], args: ['bad'], kwargs: { code: 1 } };
  record(context, driver.listen(server('demo', 'a')), (incoming) => void incoming.reply({ result: null, failure, ending: true }));
  await driver.send(target({ topic: 'demo' }), callOf('m', channel.address));
  for (let i = 0; i < 3; i++) await settle();
  assert.equal(replies[0]?.failure, failure);
});

Memory('should make replying to a cast a no-op', async (context) => {
  const driver = open(context, freshName());
  const channel = await driver.replyChannel();
  const replies = record(context, channel.replies$);
  const replied: Promise<void>[] = [];
  record(context, driver.listen(server('demo', 'a')), (incoming) => {
    replied.push(incoming.reply({ result: 1, failure: null, ending: true }), incoming.heartbeat());
  });
  await driver.send(target({ topic: 'demo' }), castOf('fire-and-forget'));
  await settle();
  assert.is(replied.length, 2);
  await Promise.all(replied);
  await settle();
  assert.equal(replies, []);
});

Memory('should drop a reply to an address that no longer exists, with a debug log', async (context) => {
  const name = freshName();
  const serverSide = open(context, name);
  const client = open(context, name);
  const address = (await client.replyChannel()).address;
  const received: IncomingCall[] = record(context, serverSide.listen(server('demo', 'a')));
  await client.send(target({ topic: 'demo' }), callOf('m', address));
  await settle();
  await client.close();
  await received[0]!.reply({ result: 'late', failure: null, ending: true });
  assert.ok(context.logs.some((log) => log.level === 'debug' && log.message.includes(address)));
});

Memory('should reject a malformed reply with a warning and deliver the next one', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  const channel = await driver.replyChannel();
  const replies = record(context, channel.replies$);
  publishRaw(name, '', channel.address, encodeBody(defaultCodec, { result: 1, ending: true }));
  record(context, driver.listen(server('demo', 'a')), (incoming) => void incoming.reply({ result: 2, failure: null, ending: true }));
  await driver.send(target({ topic: 'demo' }), callOf('m', channel.address));
  for (let i = 0; i < 3; i++) await settle();
  assert.equal(
    replies.map((reply) => reply.result),
    [2],
  );
  assert.match(warnings(context)[0] ?? '', /no '_msg_id'/);
});

// --- notifications ---

Memory('should keep notifications for a listener that comes later, and share them round-robin', async (context) => {
  const driver = open(context, freshName());
  const topic = target({ topic: 'notifications' });
  await driver.notify(topic, notificationOf('e1'));
  const a = record(context, driver.listenForNotifications([{ target: topic, priority: 'info' }]));
  const b = record(context, driver.listenForNotifications([{ target: topic, priority: 'info' }]));
  await settle();
  for (const event of ['e2', 'e3']) await driver.notify(topic, notificationOf(event));
  await settle();
  assert.equal(
    a.map((n) => n.eventType),
    ['e1', 'e3'],
  );
  assert.equal(
    b.map((n) => n.eventType),
    ['e2'],
  );
  assert.equal(a[0]?.context, { user_id: 'u1' });
  assert.equal(a[0]?.payload, { eventType: 'e1' });
  assert.ok(a[0]?.uniqueId);
});

Memory('should receive only the priorities bound', async (context) => {
  const driver = open(context, freshName());
  const topic = target({ topic: 'notifications' });
  const errors = record(context, driver.listenForNotifications([{ target: topic, priority: 'error' }]));
  await driver.notify(topic, notificationOf('info-event', 'info'));
  await driver.notify(topic, notificationOf('error-event', 'error'));
  await settle();
  assert.equal(
    errors.map((n) => [n.eventType, n.priority]),
    [['error-event', 'error']],
  );
});

Memory('should give each pool its own copy, and a new pool the backlog', async (context) => {
  const driver = open(context, freshName());
  const topic = target({ topic: 'notifications' });
  const bindings = [{ target: topic, priority: 'info' as const }];
  await driver.notify(topic, notificationOf('before-pools'));
  const audit = record(context, driver.listenForNotifications(bindings, { pool: 'audit' }));
  const billing = record(context, driver.listenForNotifications(bindings, { pool: 'billing' }));
  const shared = record(context, driver.listenForNotifications(bindings));
  await driver.notify(topic, notificationOf('after-pools'));
  await settle();
  const events = (list: readonly { eventType: string }[]) => list.map((n) => n.eventType);
  assert.equal(events(audit), ['before-pools', 'after-pools']);
  assert.equal(events(billing), ['before-pools', 'after-pools']);
  assert.equal(events(shared), ['before-pools', 'after-pools']);
});

Memory('should delete an autoDeletePool queue with its last consumer, and keep other pools', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  const topic = target({ topic: 'notifications' });
  const bindings = [
    { target: topic, priority: 'info' as const },
    { target: topic, priority: 'error' as const },
  ];
  const first = driver.listenForNotifications(bindings, { pool: 'watcher', autoDeletePool: true }).subscribe();
  const second = driver.listenForNotifications(bindings, { pool: 'watcher', autoDeletePool: true }).subscribe();
  driver.listenForNotifications(bindings, { pool: 'audit' }).subscribe().unsubscribe();
  first.unsubscribe();
  await driver.notify(topic, notificationOf('one-consumer-left'));
  assert.is(queueDepth(name, 'openstack', 'watcher'), 0, 'the pool still has a consumer');
  second.unsubscribe();
  await driver.notify(topic, notificationOf('after-the-watchers'));
  assert.is(queueDepth(name, 'openstack', 'watcher'), undefined);
  assert.is(queueDepth(name, 'openstack', 'audit'), 2);
});

Memory('should share a pool round-robin between its listeners', async (context) => {
  const driver = open(context, freshName());
  const topic = target({ topic: 'notifications' });
  const bindings = [{ target: topic, priority: 'info' as const }];
  const a = record(context, driver.listenForNotifications(bindings, { pool: 'audit' }));
  const b = record(context, driver.listenForNotifications(bindings, { pool: 'audit' }));
  for (const event of ['e1', 'e2']) await driver.notify(topic, notificationOf(event));
  await settle();
  assert.equal([a.length, b.length], [1, 1]);
});

Memory('should carry bodies bare whatever the version, and accept enveloped ones too', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  const topic = target({ topic: 'notifications' });
  await driver.notify(topic, notificationOf('v1'), { version: 1 });
  await driver.notify(topic, notificationOf('v2'), { version: 2 });
  const queue = findBroker(name)!.exchanges.get(EXCHANGE)!.queues.get(notificationQueue(topic, 'info'))!;
  const bodies = queue.items.slice(queue.head).map((message) => message!.body as Record<string, unknown>);
  assert.equal(
    bodies.map((body) => [body['event_type'], body['priority'], body['oslo.version']]),
    [
      ['v1', 'INFO', undefined],
      ['v2', 'INFO', undefined],
    ],
  );
  const enveloped = { 'oslo.version': '2.0', 'oslo.message': JSON.stringify({ ...bodies[0], event_type: 'enveloped' }) };
  publishRaw(name, EXCHANGE, notificationQueue(topic, 'info'), Buffer.from(JSON.stringify(enveloped)));
  const got = record(context, driver.listenForNotifications([{ target: topic, priority: 'info' }]));
  await settle();
  assert.equal(
    got.map((n) => [n.eventType, n.priority]),
    [
      ['v1', 'info'],
      ['v2', 'info'],
      ['enveloped', 'info'],
    ],
  );
});

Memory('should requeue a notification for redelivery', async (context) => {
  const driver = open(context, freshName());
  const topic = target({ topic: 'notifications' });
  const got = record(context, driver.listenForNotifications([{ target: topic, priority: 'warn' }]), (n) => void (n.redelivered ? n.ack() : n.requeue()));
  await driver.notify(topic, notificationOf('flaky', 'warn'));
  for (let i = 0; i < 3; i++) await settle();
  assert.equal(
    got.map((n) => n.redelivered),
    [false, true],
  );
});

Memory('should reject a malformed notification with a warning and go on', async (context) => {
  const name = freshName();
  const driver = open(context, name);
  const topic = target({ topic: 'notifications' });
  const got = record(context, driver.listenForNotifications([{ target: topic, priority: 'info' }]));
  publishRaw(name, EXCHANGE, notificationQueue(topic, 'info'), encodeBody(defaultCodec, { event_type: 'e', message_id: 'm', timestamp: 't', priority: 'LOUD' }));
  await driver.notify(topic, notificationOf('fine'));
  await settle();
  assert.equal(
    got.map((n) => n.eventType),
    ['fine'],
  );
  assert.match(warnings(context)[0] ?? '', /priority "LOUD"/);
});

// --- isolation ---

Memory('should isolate brokers of different names and share one name', async (context) => {
  const name = freshName();
  const sender = open(context, name);
  const sameName = record(context, open(context, name).listen(server('demo', 'a')));
  const otherName = record(context, open(context, freshName()).listen(server('demo', 'a')));
  await sender.send(target({ topic: 'demo' }), castOf('m'));
  await settle();
  assert.equal(methods(sameName), ['m']);
  assert.equal(methods(otherName), []);
});

Memory('should isolate the same topic in two exchanges', async (context) => {
  const driver = open(context, freshName());
  const inA = record(context, driver.listen(server('demo', 'a', 'exchange-a')));
  const inB = record(context, driver.listen(server('demo', 'a', 'exchange-b')));
  await driver.send(target({ topic: 'demo', exchange: 'exchange-a' }), castOf('for-a'));
  await driver.send(target({ topic: 'demo', exchange: 'exchange-b', fanout: true }), castOf('for-b'));
  await driver.notify(target({ topic: 'notes', exchange: 'exchange-a' }), notificationOf('note-a'));
  const notesB = record(context, driver.listenForNotifications([{ target: target({ topic: 'notes', exchange: 'exchange-b' }), priority: 'info' }]));
  await settle();
  assert.equal(methods(inA), ['for-a']);
  assert.equal(methods(inB), ['for-b']);
  assert.equal(notesB, []);
});

// --- close ---

Memory('should report connected, then closed, replaying the current state', async (context) => {
  const driver = open(context, freshName());
  const states = (): Promise<TransportStatus[]> => firstValueFrom(driver.status$.pipe(toArray()));
  const before: string[] = [];
  driver.status$.subscribe((status) => before.push(status.state));
  assert.equal(before, ['connected']);
  await driver.close();
  assert.equal(before, ['connected', 'closed']);
  assert.equal(
    (await states()).map((status) => status.state),
    ['closed'],
  );
});

Memory('should complete listeners and replies$, and refuse new work after close', async (context) => {
  const driver = open(context, freshName());
  const completed: string[] = [];
  driver.listen(server('demo', 'a')).subscribe({ complete: () => completed.push('listen') });
  driver.listenForNotifications([{ target: target({ topic: 'n' }), priority: 'info' }]).subscribe({ complete: () => completed.push('notifications') });
  (await driver.replyChannel()).replies$.subscribe({ complete: () => completed.push('replies') });
  await driver.close();
  await driver.close();
  assert.equal(completed.sort(), ['listen', 'notifications', 'replies']);
  const failures = await Promise.all([
    driver.send(target({ topic: 'demo' }), castOf('m')).catch((e: unknown) => e),
    driver.notify(target({ topic: 'n' }), notificationOf('e')).catch((e: unknown) => e),
    driver.replyChannel().catch((e: unknown) => e),
    firstValueFrom(driver.listen(server('demo', 'a'))).catch((e: unknown) => e),
  ]);
  for (const failure of failures) assert.instance(failure, TransportClosed);
});

Memory('should drop the broker and what it held when the last transport of its name closes', async (context) => {
  const name = freshName();
  const first = open(context, name);
  const second = open(context, name);
  await first.send(target({ topic: 'demo' }), castOf('kept'));
  await first.close();
  assert.is(queueDepth(name, EXCHANGE, 'demo'), 1);
  await second.close();
  assert.is(queueDepth(name, EXCHANGE, 'demo'), undefined);
  const reopened = record(context, open(context, name).listen(server('demo', 'a')));
  await settle();
  assert.equal(reopened, []);
});

Memory('should return the unacked messages of a closed transport to their queue', async (context) => {
  const name = freshName();
  const keeper = open(context, name);
  const closing = open(context, name);
  record(context, closing.listen(server('demo', 'a')));
  await keeper.send(target({ topic: 'demo' }), castOf('unacked'));
  await settle();
  await closing.close();
  const later = record(context, keeper.listen(server('demo', 'b')));
  await settle();
  assert.equal(
    later.map((incoming) => [incoming.method, incoming.redelivered]),
    [['unacked', true]],
  );
});

Memory.run();
