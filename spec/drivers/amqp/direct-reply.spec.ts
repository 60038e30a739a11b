/**
 * Direct reply-to between rx-messaging services (`rabbit_direct_reply_to`): call requests keep
 * oslo's `_reply_q` and carry the `reply_to` advertisement; an rx server answers there (values,
 * heartbeats, the end); a server with the option off, or a request without it, is answered at
 * `_reply_q`; calls waiting when the caller's publishing channel goes fail with TransportClosed;
 * a reply to a caller that is gone is dropped, never retried.
 */
import type { ConsumeMessage } from 'amqplib';
import { filter, firstValueFrom, interval, lastValueFrom, map, take, takeWhile, toArray } from 'rxjs';
import * as assert from 'uvu/assert';
import type { RpcRequest } from '../../../lib/driver/rpc.js';
import { InvalidTransportUrl, TransportClosed } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { connect, rpcClient, rpcServer, target } from '../../../lib/index.js';
import { serviceSuite } from '../../helpers/services.js';
import { tcpProxy } from '../../../testing/tcp-proxy.js';
import { captureLogs } from '../../helpers/logs.js';
import { brokerHost, brokerPort, brokerUrl, openDriver, rawBroker, type RawBroker, rejectionOf, uniqueTopic, within } from './support.js';

/** Direct reply-to is opt-in: each end that takes part asks for it. */
const ON = 'rabbit_direct_reply_to=true';

interface Context {
  broker: RawBroker;
  queues: string[];
}

const Direct = await serviceSuite<Context>('amqp direct reply-to', ['rabbitmq'], {} as Context);

Direct.before.each(async (context) => {
  context.broker = await rawBroker();
  context.queues = [];
});

Direct.after.each(async ({ broker, queues }) => {
  if (queues.length) await broker.deleteQueues(...queues);
  await broker.close();
});

const request = (method: string, args: Record<string, unknown>, call: RpcRequest['call']): RpcRequest => ({ method, args, context: {}, uniqueId: hexId(), call });
const DIRECT = /^amq\.rabbitmq\.reply-to\./;
/** oslo's body of a raw delivery (the 2.0 envelope opened). */
const osloBody = (message: ConsumeMessage) => JSON.parse(JSON.parse(message.content.toString())['oslo.message']) as Record<string, unknown>;

Direct("should advertise direct reply-to on a call request beside oslo's _reply_q, and on nothing else", async ({ broker, queues }) => {
  const topic = uniqueTopic();
  queues.push(topic);
  const ch = await broker.channel();
  await ch.assertExchange('openstack', 'topic', { durable: false, autoDelete: false });
  await ch.assertQueue(topic, { durable: false, autoDelete: false });
  await ch.bindQueue(topic, 'openstack', topic);
  const got: ConsumeMessage[] = [];
  await ch.consume(topic, (message) => message && got.push(message), { noAck: true });
  const on = await openDriver(brokerUrl({ query: ON }));
  const off = await openDriver(brokerUrl({ query: 'rabbit_direct_reply_to=false' }));
  try {
    const replyTo = `reply_${hexId()}`;
    await on.send(target({ topic }), request('echo', {}, { msgId: hexId(), replyTo, timeoutMs: 5_000 }));
    await on.send(target({ topic }), request('note', {}, undefined));
    await off.send(target({ topic }), request('echo', {}, { msgId: hexId(), replyTo, timeoutMs: 5_000 }));
    while (got.length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    const [advertised, cast, plain] = got as [ConsumeMessage, ConsumeMessage, ConsumeMessage];
    assert.match(String(advertised.properties.replyTo), DIRECT, "the broker turned amq.rabbitmq.reply-to into the channel's address");
    assert.is(osloBody(advertised)['_reply_q'], replyTo, "oslo's reply queue stays in the body for Python servers");
    assert.is(cast.properties.replyTo, undefined, 'a cast has nobody to answer');
    assert.is(plain.properties.replyTo, undefined, "rabbit_direct_reply_to=false sends oslo's request alone");
  } finally {
    await ch.close();
    await Promise.all([on.close(), off.close()]);
  }
});

Direct('should answer an rx caller by direct reply-to: values, heartbeats and the end arrive though its _reply_q names no queue', async ({ queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const serving = await connect(brokerUrl({ query: ON }));
  const server = rpcServer(serving, target({ topic, server: 'a' }), [
    {
      // Long enough for heartbeats at half the call-monitor timeout (1 s), streamed.
      count: ({ to }: { to: number }) =>
        interval(600).pipe(
          map((i) => i + 1),
          take(to),
        ),
    },
  ]);
  const caller = await openDriver(brokerUrl({ query: ON }));
  try {
    await server.start();
    const { replies$ } = await caller.replyChannel();
    const msgId = hexId();
    const replies = firstValueFrom(
      replies$.pipe(
        filter((reply) => reply.msgId === msgId),
        takeWhile((reply) => !reply.ending, true),
        toArray(),
      ),
    );
    // Nothing could answer at this _reply_q: whatever arrives came by direct reply-to.
    await caller.send(target({ topic }), request('count', { to: 3 }, { msgId, replyTo: `reply_${hexId()}`, timeoutMs: 30_000, callMonitorTimeout: 2_000 }));
    const got = await within(replies, 'the replies by direct reply-to');
    assert.equal(
      got.filter((reply) => reply.result !== null).map((reply) => reply.result),
      [1, 2, 3],
    );
    assert.ok(
      got.some((reply) => reply.result === null && !reply.ending),
      'heartbeats came the same way',
    );
    assert.ok(got.at(-1)?.ending);
  } finally {
    await server.stop();
    await Promise.all([serving.close(), caller.close()]);
  }
});

Direct('should answer a request at _reply_q when it asks for no direct reply-to, or the server has the option off', async ({ broker, queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const on = await openDriver(brokerUrl({ query: ON }));
  const off = await openDriver(brokerUrl({ query: 'rabbit_direct_reply_to=false' }));
  // A raw caller consuming both its reply queue and direct reply-to: where each reply lands tells which way it took.
  const ch = await broker.channel();
  const { queue } = await ch.assertQueue('', { exclusive: true });
  const landed: { where: string; body: Record<string, unknown> }[] = [];
  await ch.consume(queue, (message) => message && landed.push({ where: 'queue', body: osloBody(message) }), { noAck: true });
  await ch.consume('amq.rabbitmq.reply-to', (message) => message && landed.push({ where: 'direct', body: osloBody(message) }), { noAck: true });
  const ask = async (server: 'on' | 'off', advertise: boolean) => {
    const msgId = hexId();
    const body = { method: 'echo', args: {}, _msg_id: msgId, _reply_q: queue, _timeout: null, _unique_id: hexId() };
    ch.publish('openstack', `${topic}.${server}`, Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(body) })), {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      ...(advertise && { replyTo: 'amq.rabbitmq.reply-to' }),
    });
    while (!landed.some((reply) => reply.body['_msg_id'] === msgId)) await new Promise((resolve) => setTimeout(resolve, 20));
    return landed.find((reply) => reply.body['_msg_id'] === msgId)?.where;
  };
  const serve = (driver: typeof on, server: string) =>
    driver.listen(target({ topic, server })).subscribe((call) => {
      void call.ack();
      void call.reply({ result: 'ok', failure: null, ending: true });
    });
  queues.push(`${topic}.on`, `${topic}.off`);
  const subscriptions = [serve(on, 'on'), serve(off, 'off')];
  try {
    // Both servers consume before the requests go out.
    for (const name of ['on', 'off']) while (!(await broker.queueExists(`${topic}.${name}`))) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.is(await within(ask('on', true), 'an advertised request'), 'direct');
    assert.is(await within(ask('on', false), "a plain request (a Python caller's)"), 'queue');
    assert.is(await within(ask('off', true), 'an advertised request to a server with the option off'), 'queue');
  } finally {
    for (const subscription of subscriptions) subscription.unsubscribe();
    await ch.close();
    await Promise.all([on.close(), off.close()]);
  }
});

Direct("should fail the calls waiting by direct reply-to with TransportClosed at once when the caller's connection is cut", async ({ queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const proxy = await tcpProxy(brokerHost(), brokerPort());
  const serving = await connect(brokerUrl({ query: ON }));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = rpcServer(serving, target({ topic, server: 'a' }), [
    {
      hold: async () => {
        holding();
        await released;
        return 'too late';
      },
    },
  ]);
  const calling = await connect(brokerUrl({ port: proxy.port, query: `rabbit_retry_interval=0.05&rabbit_transient_queues_ttl=60&${ON}` }));
  try {
    await server.start();
    const client = rpcClient(calling, target({ topic }), { timeout: 60_000 });
    const waiting = rejectionOf(client.call('hold'));
    await within(held, 'the call at the server');
    proxy.cut();
    const error = await within(waiting, 'the call failed', 10_000);
    assert.instance(error, TransportClosed);
  } finally {
    release();
    await server.stop();
    await Promise.all([serving.close(), calling.close()]);
    await proxy.close();
  }
});

Direct('should fail only the calls in flight at a cut, leave no error unhandled, and serve the calls made after the reconnect', async ({ queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const unhandled: unknown[] = [];
  const onUnhandled = (error: unknown) => void unhandled.push(error);
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  const proxy = await tcpProxy(brokerHost(), brokerPort());
  const serving = await connect(brokerUrl({ query: ON }));
  let holding = 0;
  let bothHeld!: () => void;
  const held = new Promise<void>((resolve) => (bothHeld = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = rpcServer(serving, target({ topic, server: 'a' }), [
    {
      hold: async () => {
        if (++holding === 2) bothHeld();
        await released;
        return 'too late';
      },
      echo: ({ n }: { n: number }) => n,
    },
  ]);
  const calling = await connect(brokerUrl({ port: proxy.port, query: `rabbit_retry_interval=0.05&rabbit_transient_queues_ttl=60&${ON}` }));
  const cutAndReconnect = async () => {
    // Subscribed before the cut: status$ replays 'connected' until the drop is noticed.
    const reconnecting = firstValueFrom(calling.status$.pipe(filter((status) => status.state === 'reconnecting')));
    proxy.cut();
    await within(reconnecting, 'the drop noticed');
    await within(firstValueFrom(calling.status$.pipe(filter((status) => status.state === 'connected'))), 'connected again');
  };
  try {
    await server.start();
    const client = rpcClient(calling, target({ topic }), { timeout: 60_000 });
    assert.is(await within(client.call('echo', { n: 1 }), 'a call before any cut'), 1);
    // Calls in flight, as a Promise and as an Observable: their replies can no longer arrive.
    const waiting = [rejectionOf(client.call('hold')), rejectionOf(lastValueFrom(client.call$('hold')))];
    await within(held, 'the calls at the server');
    await cutAndReconnect();
    for (const error of await within(Promise.all(waiting), 'the calls in flight failed')) assert.instance(error, TransportClosed);
    assert.is(await within(client.call('echo', { n: 2 }), 'a call after the reconnect'), 2);
    // A cut while nothing waits fails nothing, and the calls after it are answered.
    await cutAndReconnect();
    const after = await within(Promise.all([3, 4, 5].map((n) => client.call('echo', { n }))), 'the calls after a quiet cut');
    assert.equal(after, [3, 4, 5]);
    // An error reported as unhandled is thrown from a timer: let those run before looking.
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(unhandled, [], 'no error went unhandled');
  } finally {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    release();
    await server.stop();
    await Promise.all([serving.close(), calling.close()]);
    await proxy.close();
  }
});

Direct('should drop a reply to a direct reply-to caller that is gone, never parking it for a retry', async ({ broker, queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const driver = await openDriver(brokerUrl({ query: ON }));
  const logs = captureLogs('rx-messaging.amqp');
  try {
    const calls = driver.listen(target({ topic, server: 'a' }));
    const first = firstValueFrom(calls);
    while (!(await broker.queueExists(`${topic}.a`))) await new Promise((resolve) => setTimeout(resolve, 20));
    const ch = await broker.channel();
    await ch.consume('amq.rabbitmq.reply-to', () => undefined, { noAck: true });
    const body = { method: 'echo', args: {}, _msg_id: hexId(), _reply_q: `reply_${hexId()}`, _timeout: null, _unique_id: hexId() };
    ch.publish('openstack', `${topic}.a`, Buffer.from(JSON.stringify({ 'oslo.version': '2.0', 'oslo.message': JSON.stringify(body) })), {
      contentType: 'application/json',
      replyTo: 'amq.rabbitmq.reply-to',
    });
    const call = await within(first, 'the call');
    // The caller's channel goes before the reply: its address leads nowhere now.
    await ch.close();
    await within(call.reply({ result: 'late', failure: null, ending: true }), 'the reply sent');
    await within(call.heartbeat(), 'a heartbeat sent');
    assert.not.ok(
      logs.records.some((record) => /Retrying|retry/i.test(record.message)),
      'nothing waits to be sent again',
    );
  } finally {
    logs.restore();
    await driver.close();
  }
});

Direct('should refuse a rabbit_direct_reply_to that is no boolean with InvalidTransportUrl', async () => {
  const error = await rejectionOf(openDriver(brokerUrl({ query: 'rabbit_direct_reply_to=sometimes' })));
  assert.instance(error, InvalidTransportUrl);
  assert.match(error.message, /rabbit_direct_reply_to/);
});

Direct.run();
