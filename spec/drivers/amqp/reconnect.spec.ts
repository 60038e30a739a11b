import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { filter, firstValueFrom, type Observable } from 'rxjs';
import * as assert from 'uvu/assert';
import type { RpcRequest } from '../../../lib/driver/rpc.js';
import type { TransportState, TransportStatus } from '../../../lib/driver/driver.js';
import { MessageDeliveryFailure, MessagingError, TransportClosed } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { connect, rpcClient, rpcServer, target } from '../../../lib/index.js';
import { serviceSuite } from '../../helpers/services.js';
import { captureLogs } from '../../helpers/logs.js';
import { brokerHost, brokerPort, brokerUrl, openDriver, rawBroker, type RawBroker, record, rejectionOf, uniqueTopic, within } from './support.js';
import { tcpProxy, type TcpProxy } from '../../../testing/tcp-proxy.js';

interface Context {
  proxy: TcpProxy;
  broker: RawBroker;
  queues: string[];
}

const Reconnect = await serviceSuite<Context>('amqp reconnect and failover', ['rabbitmq'], {} as Context);

// Quick rounds, so refused reconnects are counted without waiting seconds; private queues a
// transport closed while cut off could not delete expire a minute later.
const FAST_RETRY = 'rabbit_retry_interval=0.05&rabbit_retry_backoff=0.05&rabbit_interval_max=0.2&rabbit_transient_queues_ttl=60';

Reconnect.before.each(async (context) => {
  context.proxy = await tcpProxy(brokerHost(), brokerPort());
  context.broker = await rawBroker();
  context.queues = [];
});

Reconnect.after.each(async ({ proxy, broker, queues }) => {
  await proxy.close();
  if (queues.length) await broker.deleteQueues(...queues);
  await broker.close();
});

const cast = (method: string, args: Record<string, unknown> = {}): RpcRequest => ({ method, args, context: {}, uniqueId: hexId() });

const stateOf = (status$: Observable<TransportStatus>, state: TransportState) => firstValueFrom(status$.pipe(filter((s) => s.state === state)));

Reconnect('should resume consumers and the reply queue after the connection drops, delivering every at-least-once cast', async ({ proxy, queues }) => {
  // Through the reply queue, which keeps a reply sent while the caller is away (by direct reply-to the call fails at the cut: direct-reply.spec).
  const driver = await openDriver(brokerUrl({ port: proxy.port, query: `${FAST_RETRY}&rabbit_direct_reply_to=false` }));
  const peer = await openDriver(); // a server reached directly, unaffected by the cut
  const topic = uniqueTopic();
  const notifications = uniqueTopic('notifications');
  const remote = uniqueTopic('remote');
  queues.push(topic, `${topic}.a`, `${notifications}.info`, remote, `${remote}.b`);

  const states: TransportState[] = [];
  driver.status$.subscribe((s) => states.push(s.state));
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  const listener = record((onReady) => driver.listenForNotifications([{ target: target({ topic: notifications }), priority: 'info' }], { onReady }));
  const remoteServer = record((onReady) => peer.listen(target({ topic: remote, server: 'b' }), { onReady }));
  await within(Promise.all([server.ready, listener.ready, remoteServer.ready]), 'consumers ready');
  const { address, replies$ } = await driver.replyChannel();
  queues.push(address);
  const replies = record(() => replies$);

  const sent: Promise<void>[] = [];
  const castAndNotify = (n: number) => {
    sent.push(driver.send(target({ topic }), cast('note', { n }), { atLeastOnce: true }));
    sent.push(
      driver.notify(target({ topic: notifications }), { messageId: hexId(), publisherId: 'p', eventType: 'e', priority: 'info', payload: { n }, timestamp: 't', context: {} }),
    );
  };
  for (let n = 0; n < 5; n++) castAndNotify(n);
  await Promise.all(sent);
  // A call whose reply will be sent while this transport is away.
  await driver.send(target({ topic: remote }), { ...cast('slow'), call: { msgId: 'pending', replyTo: address, timeoutMs: 60_000 } });
  const [call] = await within(remoteServer.until(1), 'the call at the remote server');

  proxy.cut();
  for (let n = 5; n < 10; n++) castAndNotify(n); // issued while the link is down: they wait for it
  await call!.reply({ result: 'answered while away', failure: null, ending: true });
  await within(stateOf(driver.status$, 'reconnecting'), 'reconnecting');
  await within(stateOf(driver.status$, 'connected'), 'connected again');
  for (let n = 10; n < 15; n++) castAndNotify(n);
  await within(Promise.all(sent), 'every send confirmed');

  const expected = Array.from({ length: 15 }, (_, n) => n);
  const seen = (items: { args?: Record<string, unknown>; payload?: unknown }[]) => new Set(items.map((i) => (i.args ?? (i.payload as Record<string, unknown>))['n'])).size;
  await within(untilSeen(server, expected.length, seen), 'all 15 casts (duplicates allowed)');
  await within(untilSeen(listener, expected.length, seen), 'all 15 notifications');
  for (const n of listener.items) await n.ack();
  assert.equal((await within(replies.until(1), 'the reply sent while away'))[0], { msgId: 'pending', result: 'answered while away', failure: null, ending: true });
  assert.ok(states.includes('reconnecting'));
  assert.is(states.at(-1), 'connected');
  assert.ok(proxy.accepted >= 4, 'both connections were made again');
  await driver.close();
  await peer.close();
});

Reconnect('should settle every call made through a cut, with its result or a typed error, and serve calls after it', async ({ proxy, queues }) => {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const serverSide = await connect(brokerUrl());
  const server = rpcServer(serverSide, target({ topic, server: 'a' }), [
    {
      slow: async ({ n }: { n: number }) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return n;
      },
    },
  ]);
  await server.start();
  const clientSide = await connect(brokerUrl({ port: proxy.port, query: FAST_RETRY }));
  const client = rpcClient(clientSide, target({ topic }), { timeout: 10_000 });
  const outcomes = Array.from({ length: 20 }, (_, n) =>
    client.call('slow', { n }).then(
      (value) => ({ n, value }),
      (error: unknown) => ({ n, error }),
    ),
  );
  await within(outcomes[0]!, 'the first call');
  // Subscribed before the cut: status$ replays 'connected' until the drop is noticed, and a call
  // sent before that is one in flight at the cut (which direct reply-to fails).
  const reconnecting = stateOf(clientSide.status$, 'reconnecting');
  proxy.cut();
  const settled = await within(Promise.all(outcomes), 'every call settled');
  for (const outcome of settled) {
    if ('value' in outcome) assert.is(outcome.value, outcome.n);
    else assert.instance(outcome.error, MessagingError, `call ${outcome.n} failed with ${String(outcome.error)}`);
  }
  await within(reconnecting, 'the drop noticed');
  await within(stateOf(clientSide.status$, 'connected'), 'connected again');
  assert.is(await within(client.call('slow', { n: 99 }), 'a call after the cut'), 99);
  await server.stop();
  await clientSide.close();
  await serverSide.close();
});

Reconnect('should fail a send once its retry budget of connection attempts is spent, and let others wait', async ({ proxy, queues }) => {
  const driver = await openDriver(brokerUrl({ port: proxy.port, query: FAST_RETRY }));
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server ready');
  proxy.refuse(true);
  proxy.cut();
  await within(stateOf(driver.status$, 'reconnecting'), 'reconnecting');
  const none = await rejectionOf(driver.send(target({ topic }), cast('never'), { retry: 0 }));
  assert.instance(none, MessageDeliveryFailure);
  const two = await rejectionOf(driver.send(target({ topic }), cast('never'), { retry: 2 }));
  assert.instance(two, MessageDeliveryFailure);
  assert.match(two.message, /3 attempt/);
  const patient = driver.send(target({ topic }), cast('eventually'));
  proxy.refuse(false);
  await within(patient, 'the patient send');
  const [received] = await within(server.until(1), 'the patient cast');
  assert.is(received!.method, 'eventually');
  await driver.close();
});

Reconnect('should fail pending work with TransportClosed when closed while reconnecting, and end the listeners', async ({ proxy, queues }) => {
  const driver = await openDriver(brokerUrl({ port: proxy.port, query: FAST_RETRY }));
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server ready');
  const { replies$ } = await driver.replyChannel();
  const replies = record(() => replies$);
  proxy.refuse(true);
  proxy.cut();
  await within(stateOf(driver.status$, 'reconnecting'), 'reconnecting');
  const pending = rejectionOf(driver.send(target({ topic }), cast('never')));
  await within(driver.close(), 'close');
  assert.instance(await pending, TransportClosed);
  await within(server.completed, 'the listener ending');
  await within(replies.completed, 'replies$ ending');
  assert.instance(await rejectionOf(driver.send(target({ topic }), cast('after'))), TransportClosed);
  assert.is((await firstValueFrom(driver.status$)).state, 'closed');
});

Reconnect('should re-declare and resume a consumer whose queue was deleted under it', async ({ broker, queues }) => {
  const driver = await openDriver();
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server ready');
  const logs = captureLogs('rx-messaging.amqp');
  await broker.deleteQueues(topic);
  // The broker cancels the consumer; the driver declares the queue again and consumes it.
  await within(
    logs.until(1, (r) => r.message === `consuming for RPC server ${topic}.a`),
    'the consumer set up again',
  );
  logs.restore();
  assert.ok(logs.records.some((r) => r.level === 'warn' && r.message.includes('cancelled the consumer')));
  assert.ok(await broker.queueExists(topic));
  await driver.send(target({ topic }), cast('after the delete'), { atLeastOnce: true });
  const [received] = await within(server.until(1), 'the cast');
  assert.is(received!.method, 'after the delete');
  await driver.close();
});

Reconnect('should recover when the broker closes the connection (rabbitmqctl close_connection)', async ({ queues }) => {
  const driver = await openDriver(brokerUrl({ query: FAST_RETRY }));
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server ready');
  const closed = await closeOwnConnections();
  if (closed === undefined) {
    console.log('  (rabbitmqctl not usable here: the broker-side close was not exercised)');
    await driver.close();
    return;
  }
  assert.ok(closed >= 2, `closed ${closed} connection(s)`);
  await within(stateOf(driver.status$, 'connected'), 'connected again');
  await within(driver.send(target({ topic }), cast('after'), { atLeastOnce: true }), 'a send after the close');
  await within(server.until(1), 'the cast after the close');
  await driver.close();
});

Reconnect('should notice a silent broker by its missing heartbeats and reconnect', async ({ proxy, queues }) => {
  const driver = await openDriver(brokerUrl({ port: proxy.port, query: `${FAST_RETRY}&heartbeat_timeout_threshold=1` }));
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
  await within(server.ready, 'server ready');
  proxy.stall(); // the sockets stay open: only the heartbeat tells the link is dead
  const reconnecting = await within(stateOf(driver.status$, 'reconnecting'), 'the silence noticed');
  assert.match(reconnecting.error?.message ?? '', /Heartbeat timeout/);
  await within(stateOf(driver.status$, 'connected'), 'connected again');
  await within(driver.send(target({ topic }), cast('after the silence'), { atLeastOnce: true }), 'a send');
  const [received] = await within(server.until(1), 'the cast after the silence');
  assert.is(received!.method, 'after the silence');
  await driver.close();
});

Reconnect('should fail over to the next host, and fail connect() naming the hosts when none answers', async () => {
  const good = brokerUrl().replace(/@([^/]+)\//, '@127.0.0.1:1,$1/');
  for (const strategy of ['round-robin', 'shuffle']) {
    const driver = await openDriver(`${good}?kombu_failover_strategy=${strategy}`);
    await driver.send(target({ topic: uniqueTopic() }), cast('hello'));
    await driver.close();
  }
  const error = await rejectionOf(openDriver(brokerUrl().replace(/@[^/]+\//, '@127.0.0.1:1,127.0.0.1:2/')));
  assert.instance(error, MessageDeliveryFailure);
  assert.match(error.message, /127\.0\.0\.1:1, 127\.0\.0\.1:2|127\.0\.0\.1:2, 127\.0\.0\.1:1/);
});

/** Resolves once `recorder` has seen `count` distinct values by `distinct`. */
function untilSeen<T>(recorder: { items: T[]; until(count: number): Promise<T[]> }, count: number, distinct: (items: T[]) => number): Promise<void> {
  return (async () => {
    while (distinct(recorder.items) < count) await recorder.until(recorder.items.length + 1);
  })();
}

/** Closes this process's connections through rabbitmqctl; undefined when rabbitmqctl cannot be used. */
async function closeOwnConnections(): Promise<number | undefined> {
  const run = promisify(execFile);
  let listing: string;
  try {
    listing = (await run('rabbitmqctl', ['-q', 'list_connections', 'pid', 'client_properties'])).stdout;
  } catch (error) {
    console.log(`  rabbitmqctl list_connections failed: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
  const ours = listing.split('\n').filter((line) => line.includes(`:${process.pid}:`));
  for (const line of ours) {
    const pid = line.split('\t')[0] as string;
    await run('rabbitmqctl', ['-q', 'close_connection', pid, 'closed by the reconnect spec']);
  }
  return ours.length;
}

Reconnect.run();
