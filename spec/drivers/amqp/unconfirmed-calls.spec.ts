/**
 * Call requests without publisher confirms (`rabbit_call_confirms=false`): calls are answered as
 * ever; a request lost with its connection is sent again and answered once; one that reached its
 * server before the cut is run once, its copy dropped as a duplicate; one that cannot be sent
 * again fails its call at once rather than at its timeout.
 */
import { filter, firstValueFrom } from 'rxjs';
import * as assert from 'uvu/assert';
import { InvalidTransportUrl, MessagingError, MessagingTimeout } from '../../../lib/core/errors.js';
import { connect, rpcClient, rpcServer, target, type Transport } from '../../../lib/index.js';
import { tcpProxy, type TcpProxy } from '../../../testing/tcp-proxy.js';
import { serviceSuite } from '../../helpers/services.js';
import { brokerHost, brokerPort, brokerUrl, rawBroker, type RawBroker, rejectionOf, uniqueTopic, within } from './support.js';

const OFF = 'rabbit_call_confirms=false';
// Quick reconnects; the reply queue outlives a cut (its caller comes back to it).
const FAST_RETRY = 'rabbit_retry_interval=0.05&rabbit_retry_backoff=0.05&rabbit_interval_max=0.2&rabbit_transient_queues_ttl=60';

interface Context {
  broker: RawBroker;
  proxy: TcpProxy;
  queues: string[];
  closing: Transport[];
}

const Unconfirmed = await serviceSuite<Context>('amqp call requests without confirms', ['rabbitmq'], {} as Context);

Unconfirmed.before.each(async (context) => {
  context.broker = await rawBroker();
  context.proxy = await tcpProxy(brokerHost(), brokerPort());
  context.queues = [];
  context.closing = [];
});

Unconfirmed.after.each(async ({ broker, proxy, queues, closing }) => {
  await Promise.all(closing.map((transport) => transport.close()));
  await proxy.close();
  if (queues.length) await broker.deleteQueues(...queues);
  await broker.close();
});

/** A server reached directly (unaffected by the proxy's cuts) counting how often `hold` and `echo` ran; `hold` waits for `release`. */
async function countingServer({ queues, closing }: Context) {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const transport = await connect(brokerUrl());
  closing.push(transport);
  const runs = { hold: 0, echo: 0 };
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = rpcServer(transport, target({ topic, server: 'a' }), [
    {
      hold: async () => {
        runs.hold++;
        held();
        await released;
        return 'held';
      },
      echo: ({ n }: { n: number }) => {
        runs.echo++;
        return n;
      },
    },
  ]);
  await server.start();
  return { topic, runs, holding, release, stop: () => server.stop() };
}

/** A caller through the proxy, without call confirms. */
async function caller({ proxy, closing }: Context, query = ''): Promise<Transport> {
  const transport = await connect(brokerUrl({ port: proxy.port, query: `${FAST_RETRY}&${OFF}${query}` }));
  closing.push(transport);
  return transport;
}

const connected = (transport: Transport) => firstValueFrom(transport.status$.pipe(filter((status) => status.state === 'connected')));
const reconnecting = (transport: Transport) => firstValueFrom(transport.status$.pipe(filter((status) => status.state === 'reconnecting')));

Unconfirmed('should answer calls sent without confirms, as many at once as asked', async (context) => {
  const server = await countingServer(context);
  const client = rpcClient(await caller(context), target({ topic: server.topic }));
  const ns = Array.from({ length: 200 }, (_, n) => n);
  assert.equal(await within(Promise.all(ns.map((n) => client.call('echo', { n }))), 'the calls answered'), ns);
  assert.is(server.runs.echo, 200);
  await server.stop();
});

Unconfirmed('should send again a request lost in a cut, and answer it once', async (context) => {
  const server = await countingServer(context);
  const transport = await caller(context);
  const client = rpcClient(transport, target({ topic: server.topic }), { timeout: 60_000 });
  assert.is(await within(client.call('echo', { n: 1 }), 'a call before the cut'), 1);
  // Written while nothing is forwarded: the request dies in the proxy with the connection.
  context.proxy.stall();
  const answer = client.call('echo', { n: 2 });
  const noticed = reconnecting(transport);
  context.proxy.cut();
  await within(noticed, 'the cut noticed');
  assert.is(await within(answer, 'the lost request answered after the reconnect', 20_000), 2);
  assert.is(server.runs.echo, 2);
  await server.stop();
});

Unconfirmed('should run once a request that reached its server before the cut: the copy sent again is a duplicate', async (context) => {
  const server = await countingServer(context);
  const transport = await caller(context);
  const client = rpcClient(transport, target({ topic: server.topic }), { timeout: 60_000 });
  const answer = client.call('hold');
  await within(server.holding, 'the call at the server');
  const noticed = reconnecting(transport);
  context.proxy.cut();
  await within(noticed, 'the cut noticed');
  await within(connected(transport), 'connected again', 20_000);
  server.release();
  assert.is(await within(answer, 'the call answered', 20_000), 'held');
  // The copy reached the server too, and was dropped by its _unique_id: a later call is answered after it.
  assert.is(await within(client.call('echo', { n: 3 }), 'a call after'), 3);
  assert.is(server.runs.hold, 1);
  await server.stop();
});

Unconfirmed('should fail a call at once when its lost request cannot be sent again', async (context) => {
  const server = await countingServer(context);
  const transport = await caller(context);
  // No retry: once the connection is gone, the request cannot go out again.
  const client = rpcClient(transport, target({ topic: server.topic }), { timeout: 60_000, retry: 0 });
  assert.is(await within(client.call('echo', { n: 1 }), 'a call before the cut'), 1);
  context.proxy.stall();
  const failed = rejectionOf(client.call('echo', { n: 2 }));
  context.proxy.refuse(true);
  context.proxy.cut();
  const error = await within(failed, 'the call failed', 20_000);
  assert.instance(error, MessagingError);
  assert.not.instance(error, MessagingTimeout);
  context.proxy.refuse(false);
  await server.stop();
});

Unconfirmed('should refuse call requests without confirms beside direct reply-to', async () => {
  const error = await rejectionOf(connect(brokerUrl({ query: `${OFF}&rabbit_direct_reply_to=true` })));
  assert.instance(error, InvalidTransportUrl);
  assert.match(error.message, /rabbit_call_confirms=false needs rabbit_direct_reply_to off/);
});

Unconfirmed.run();
