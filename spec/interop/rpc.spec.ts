/**
 * RPC between rx-messaging and a real oslo.messaging 14 process (spec/interop/peer.py), both
 * ways, on the spec broker: calls to a topic and to a server, casts, fanout, namespaces and
 * versions, remote exceptions, call-monitor heartbeats, streamed replies, cancellation (rx-messaging's
 * `_rxm_` keys, which oslo ignores both ways), and a TypeScript server declaring its queues beside
 * a live Python one.
 */
import { randomBytes } from 'node:crypto';
import { filter, firstValueFrom, interval, map, take, takeWhile, toArray } from 'rxjs';
import * as assert from 'uvu/assert';
import {
  connect,
  MessageDeliveryFailure,
  MessageUndeliverable,
  RemoteError,
  rpcClient,
  rpcServer,
  target,
  UnsupportedVersion,
  type RpcServer,
  type Transport,
} from '../../lib/index.js';
import { driverOf } from '../../lib/transport.js';
import { amqpUrlWith, serviceSuite } from '../helpers/services.js';
import { rawBroker, type RawBroker } from '../drivers/amqp/support.js';
import { PeerCommandFailed, startPeer, type PeerErrorInfo, type PythonPeer } from './peer.js';

interface Context {
  peer: PythonPeer;
  broker: RawBroker;
  transports: Transport[];
  servers: RpcServer[];
  /** Topics a test used: their topic and server queues are deleted after it. */
  topics: { topic: string; servers: string[] }[];
}

const Rpc = await serviceSuite<Context>('interop: rpc with oslo.messaging', ['rabbitmq', 'oslo'], {} as Context);

const topicName = (prefix = 'interop') => `${prefix}_${randomBytes(6).toString('hex')}`;

/** A fresh topic whose queues (`<topic>`, `<topic>.<server>`) are deleted after the test. */
function topicFor(context: Context, ...servers: string[]): string {
  const topic = topicName();
  context.topics.push({ topic, servers });
  return topic;
}

Rpc.before(async (context) => {
  context.peer = await startPeer();
  context.broker = await rawBroker();
});

Rpc.after(async ({ peer, broker }) => {
  await peer.close();
  await broker.close();
});

Rpc.before.each((context) => {
  context.transports = [];
  context.servers = [];
  context.topics = [];
});

Rpc.after.each(async ({ transports, servers, topics, broker }) => {
  await Promise.all(servers.map((server) => server.stop()));
  await Promise.all(transports.map((transport) => transport.close()));
  await broker.deleteQueues(...topics.flatMap(({ topic, servers: names }) => [topic, ...names.map((server) => `${topic}.${server}`)]));
});

async function open(context: Context): Promise<Transport> {
  // Reply and fanout queues left by a test expire a minute after it.
  const transport = await connect(amqpUrlWith('rabbit_transient_queues_ttl=60'));
  context.transports.push(transport);
  return transport;
}

/** A Python exception as Python raised it (the call failed), or a failure when it did not. */
async function pythonError(promise: Promise<unknown>): Promise<PeerErrorInfo> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof PeerCommandFailed) return error.error;
    throw error;
  }
  throw new Error('expected the Python call to raise');
}

// An error class of the Python builtins, which oslo clients rebuild without an allow-list.
class ValueError extends Error {
  static readonly module = 'builtins';
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

class QuotaExceeded extends Error {
  constructor(readonly quota: number) {
    super(`quota ${quota} exceeded`);
    this.name = 'QuotaExceeded';
  }
}

// The peer's own exception class: its module is __main__.
class PeerError extends Error {
  static readonly module = '__main__';
}

const endpoint = (name: string, received: unknown[] = []) => ({
  echo: (args: Record<string, unknown>, context: Record<string, unknown>) => ({ args, user: context['user_id'] ?? null, server: name }),
  whoami: () => name,
  note: (args: Record<string, unknown>) => void received.push({ server: name, args }),
  fail: (args: { kind: string }) => {
    throw args.kind === 'ValueError' ? new ValueError('bad value') : new QuotaExceeded(3);
  },
  slow: async (args: { ms: number; value: unknown }) => {
    await new Promise((resolve) => setTimeout(resolve, args.ms));
    return args.value;
  },
  count: (args: { to: number }) =>
    interval(20).pipe(
      map((i) => i + 1),
      take(args.to),
    ),
});

async function serveTs(context: Context, topic: string, server: string, endpoints: object[]): Promise<RpcServer> {
  const rpc = rpcServer(await open(context), target({ topic, server }), endpoints);
  context.servers.push(rpc);
  await rpc.start();
  return rpc;
}

// --- Python client -> TypeScript server

Rpc('should serve a Python call to the topic, with its context, and a call to one server', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'a', 'b');
  await serveTs(context, topic, 'a', [endpoint('a')]);
  await serveTs(context, topic, 'b', [endpoint('b')]);
  const { result } = await peer.request<{ result: unknown }>('call', {
    topic,
    method: 'echo',
    args: { x: 1, y: 'two' },
    context: { user_id: 'u1', project_id: 'p1' },
    timeout: 30,
  });
  assert.equal((result as { args: unknown; user: unknown }).args, { x: 1, y: 'two' });
  assert.is((result as { user: unknown }).user, 'u1');
  for (const server of ['a', 'b', 'b', 'a']) {
    const answer = await peer.request<{ result: unknown }>('call', { topic, server, method: 'whoami', timeout: 30 });
    assert.is(answer.result, server);
  }
});

Rpc('should receive Python casts to the topic and fanout casts at every server', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'a', 'b');
  const received: { server: string; args: Record<string, unknown> }[] = [];
  let arrived!: () => void;
  const allArrived = new Promise<void>((resolve) => (arrived = resolve));
  const counting = (name: string) => ({
    ...endpoint(name),
    note: (args: Record<string, unknown>) => {
      received.push({ server: name, args });
      if (received.length === 3) arrived();
    },
  });
  await serveTs(context, topic, 'a', [counting('a')]);
  await serveTs(context, topic, 'b', [counting('b')]);
  await peer.request('cast', { topic, method: 'note', args: { kind: 'topic' } });
  await peer.request('cast', { topic, fanout: true, method: 'note', args: { kind: 'fanout' } });
  await allArrived;
  assert.is(received.filter((r) => r.args['kind'] === 'topic').length, 1);
  assert.equal(
    received
      .filter((r) => r.args['kind'] === 'fanout')
      .map((r) => r.server)
      .sort(),
    ['a', 'b'],
  );
});

Rpc('should pick endpoints by namespace and version for a Python caller, and refuse others', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'a');
  await serveTs(context, topic, 'a', [
    { target: { namespace: 'ns', version: '2.3' }, v: () => 'ns-2.3' },
    { target: { version: '1.5' }, v: () => 'default-1.5' },
  ]);
  assert.is((await peer.request<{ result: unknown }>('call', { topic, namespace: 'ns', version: '2.1', method: 'v', timeout: 30 })).result, 'ns-2.3');
  assert.is((await peer.request<{ result: unknown }>('call', { topic, version: '1.2', method: 'v', timeout: 30 })).result, 'default-1.5');
  const unsupported = await pythonError(peer.request('call', { topic, namespace: 'ns', version: '3.0', method: 'v', timeout: 30 }));
  assert.is(unsupported.class, 'RemoteError');
  assert.is(unsupported.exc_type, 'UnsupportedVersion');
  const missing = await pythonError(peer.request('call', { topic, namespace: 'ns', version: '2.0', method: 'nope', timeout: 30 }));
  assert.is(missing.exc_type, 'NoSuchMethod');
});

Rpc('should send a Python caller a builtin exception it rebuilds, and others as RemoteError', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'a');
  await serveTs(context, topic, 'a', [endpoint('a')]);
  const builtin = await pythonError(peer.request('call', { topic, method: 'fail', args: { kind: 'ValueError' }, timeout: 30 }));
  assert.is(builtin.class, 'ValueError');
  assert.is(builtin.module, 'builtins');
  assert.match(builtin.message, /bad value/);
  const custom = await pythonError(peer.request('call', { topic, method: 'fail', args: { kind: 'quota' }, timeout: 30 }));
  assert.is(custom.class, 'RemoteError');
  assert.is(custom.exc_type, 'QuotaExceeded');
  assert.is(custom.value, 'quota 3 exceeded');
});

Rpc("should keep a Python caller's long call alive with heartbeats, and give it a streamed call's last value", async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'a');
  await serveTs(context, topic, 'a', [endpoint('a')]);
  // oslo gives up after call_monitor_timeout (2 s) without a heartbeat; the call takes 3.5 s.
  const long = await peer.request<{ result: unknown }>('call', { topic, method: 'slow', args: { ms: 3_500, value: 'worth the wait' }, timeout: 30, call_monitor_timeout: 2 });
  assert.is(long.result, 'worth the wait');
  // oslo 14 waits for the ending reply and keeps the last non-null result on the way.
  const streamed = await peer.request<{ result: unknown }>('call', { topic, method: 'count', args: { to: 3 }, timeout: 30 });
  assert.is(streamed.result, 3);
});

Rpc('should give a Python caller normal replies and heartbeats though each names the rx server that sent it', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'a');
  await serveTs(context, topic, 'a', [endpoint('a')]);
  // The same server's replies to an rx caller show the key is on the wire: on each streamed value but the last.
  const transport = await open(context);
  const { replies$ } = await driverOf(transport).replyChannel();
  const replies = firstValueFrom(
    replies$.pipe(
      takeWhile((reply) => !reply.ending, true),
      toArray(),
    ),
  );
  assert.is(await rpcClient(transport, target({ topic }), { timeout: 30_000 }).call('count', { to: 3 }), 3);
  assert.equal(
    (await replies).map((reply) => [reply.result, reply.server]),
    [
      [1, { topic, server: 'a' }],
      [2, { topic, server: 'a' }],
      [3, undefined],
    ],
  );
  assert.is((await peer.request<{ result: unknown }>('call', { topic, method: 'whoami', timeout: 30 })).result, 'a');
  assert.is((await peer.request<{ result: unknown }>('call', { topic, method: 'count', args: { to: 3 }, timeout: 30 })).result, 3);
  const long = await peer.request<{ result: unknown }>('call', { topic, method: 'slow', args: { ms: 1_500, value: 'still read' }, timeout: 30, call_monitor_timeout: 1 });
  assert.is(long.result, 'still read');
});

// --- TypeScript client -> Python server

Rpc('should call a Python server by topic and by server, passing the context', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'p1', 'p2');
  await peer.request('serve', { handle: 'p1', topic, server: 'p1' });
  await peer.request('serve', { handle: 'p2', topic, server: 'p2' });
  try {
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    const echoed = (await client.call('echo', { x: 1 }, { user_id: 'u1', project_id: 'p1', request_id: 'req-abc' })) as { args: unknown; context: unknown };
    assert.equal(echoed.args, { x: 1 });
    assert.equal(echoed.context, { user_id: 'u1', project_id: 'p1', request_id: 'req-abc' });
    assert.is(await client.prepare({ server: 'p2' }).call('whoami'), 'p2');
    assert.is(await client.prepare({ server: 'p1' }).call('whoami'), 'p1');
    assert.is(await client.call('add', { a: 2, b: 40 }), 42);
  } finally {
    await peer.request('stop', { handle: 'p1' });
    await peer.request('stop', { handle: 'p2' });
  }
});

Rpc('should cast to a Python server and fan a cast out to every Python server', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'c1', 'c2');
  await peer.request('serve', { handle: 'c1', topic, server: 'c1' });
  await peer.request('serve', { handle: 'c2', topic, server: 'c2' });
  try {
    const client = rpcClient(await open(context), target({ topic }));
    await client.cast('note', { kind: 'topic' }, { user_id: 'u1' });
    const [topicCast] = await peer.events(1, (e) => e.event === 'cast' && (e['args'] as { kind: string }).kind === 'topic');
    assert.equal(topicCast!['context'], { user_id: 'u1' });
    await client.prepare({ fanout: true }).cast('note', { kind: 'fanout' });
    const fanout = await peer.events(2, (e) => e.event === 'cast' && (e['args'] as { kind: string }).kind === 'fanout');
    assert.equal(fanout.map((e) => e['server']).sort(), ['c1', 'c2']);
  } finally {
    await peer.request('stop', { handle: 'c1' });
    await peer.request('stop', { handle: 'c2' });
  }
});

Rpc("should reach a Python server's endpoints by namespace and version, and rebuild its refusal", async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'v1');
  await peer.request('serve', { handle: 'v1', topic, server: 'v1', endpoints: [{ namespace: 'ns', version: '2.3' }, { version: '1.1' }] });
  try {
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    const scoped = (await client.prepare({ namespace: 'ns', version: '2.1' }).call('echo')) as { endpoint: unknown };
    assert.equal(scoped.endpoint, { namespace: 'ns', version: '2.3' });
    const plain = (await client.prepare({ version: '1.0' }).call('echo')) as { endpoint: unknown };
    assert.equal(plain.endpoint, { namespace: null, version: '1.1' });
    const error = await client
      .prepare({ namespace: 'ns', version: '3.0' })
      .call('echo')
      .catch((e: unknown) => e);
    assert.ok(error instanceof UnsupportedVersion || (error instanceof RemoteError && error.excType === 'UnsupportedVersion'), String(error));
  } finally {
    await peer.request('stop', { handle: 'v1' });
  }
});

Rpc('should rebuild the Python exceptions a caller allows and wrap the others in RemoteError', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'e1');
  await peer.request('serve', { handle: 'e1', topic, server: 'e1' });
  try {
    const transport = await open(context);
    const allowing = rpcClient(transport, target({ topic }), { timeout: 30_000, allowedRemoteErrors: [ValueError, PeerError] });
    const value = await allowing.call('fail', { kind: 'ValueError', message: 'nope' }).catch((e: unknown) => e);
    assert.instance(value, ValueError);
    assert.is((value as Error).message, 'nope');
    const own = await allowing.call('fail', { kind: 'PeerError', message: 'custom' }).catch((e: unknown) => e);
    assert.instance(own, PeerError);
    assert.is((own as PeerError & { code?: number }).code, 42);
    const strict = rpcClient(transport, target({ topic }), { timeout: 30_000 });
    const wrapped = await strict.call('fail', { kind: 'PeerError', message: 'custom' }).catch((e: unknown) => e);
    assert.instance(wrapped, RemoteError);
    assert.is((wrapped as RemoteError).excType, 'PeerError');
    assert.is((wrapped as RemoteError).module, '__main__');
  } finally {
    await peer.request('stop', { handle: 'e1' });
  }
});

Rpc('should keep a long call to a Python server alive on its heartbeats, and fail at once when nobody can take an at-least-once call', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'h1');
  await peer.request('serve', { handle: 'h1', topic, server: 'h1' });
  try {
    const transport = await open(context);
    const client = rpcClient(transport, target({ topic }), { timeout: 30_000, callMonitorTimeout: 2_000 });
    assert.is(await client.call('slow', { seconds: 3.5, value: 'kept alive' }), 'kept alive');
    const nobody = rpcClient(transport, target({ topic: topicName('nobody') }), { timeout: 30_000, atLeastOnce: true });
    const error = await nobody.call('echo').catch((e: unknown) => e);
    assert.instance(error, MessageUndeliverable);
  } finally {
    await peer.request('stop', { handle: 'h1' });
  }
});

Rpc('should send a Python server no cancel when an rx caller gives a call up, and leave its calls unaffected', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'k1');
  await peer.request('serve', { handle: 'k1', topic, server: 'k1' });
  try {
    const transport = await open(context);
    const driver = driverOf(transport);
    const sent: string[] = [];
    const send = driver.send.bind(driver);
    driver.send = (to, request, options) => (sent.push(request.method), send(to, request, options));
    const client = rpcClient(transport, target({ topic }), { timeout: 30_000 });
    assert.is(await client.call('add', { a: 1, b: 2 }), 3, 'a Python server ignores _rxm_deadline and _rxm_cancellable');
    const { replies$ } = await driver.replyChannel();
    const abandoned = firstValueFrom(replies$.pipe(filter((reply) => reply.result === 'abandoned')));
    const controller = new AbortController();
    const aborted = client.call('slow', { seconds: 0.5, value: 'abandoned' }, {}, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    assert.instance(await aborted, DOMException);
    const unsubscribed = client.call$('slow', { seconds: 0.5, value: 'abandoned' }).subscribe();
    unsubscribed.unsubscribe();
    const reply = await abandoned;
    assert.is(reply.server, undefined, 'a Python server names itself nowhere');
    // The client heard the Python server's reply: that was its chance to send a cancel.
    await new Promise((resolve) => setImmediate(resolve));
    assert.is(await client.call('add', { a: 2, b: 40 }), 42);
    assert.equal(
      sent.filter((method) => method.startsWith('_rxm_')),
      [],
      'no cancel was sent',
    );
  } finally {
    await peer.request('stop', { handle: 'k1' });
  }
});

// --- side by side

Rpc('should declare a TypeScript server beside a live Python server without a 406, and share the topic', async (context) => {
  const { peer } = context;
  const topic = topicFor(context, 'ts', 'py');
  await peer.request('serve', { handle: 'py', topic, server: 'py' });
  try {
    await serveTs(context, topic, 'ts', [endpoint('ts')]);
    const answers = new Set<unknown>();
    for (let n = 0; n < 6; n++) answers.add((await peer.request<{ result: unknown }>('call', { topic, method: 'whoami', timeout: 30 })).result);
    assert.equal([...answers].sort(), ['py', 'ts'], 'the shared topic queue round-robins over both languages');
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    assert.is(await client.prepare({ server: 'py' }).call('whoami'), 'py');
    assert.is(await client.prepare({ server: 'ts' }).call('whoami'), 'ts');
  } finally {
    await peer.request('stop', { handle: 'py' });
  }
});

Rpc('should declare quorum queues exactly as a Python server with rabbit_quorum_queue does, and refuse classic ones with a 406', async (context) => {
  const exchange = topicName('quorum');
  const topic = topicFor(context, 'py', 'ts', 'classic');
  const peer = await startPeer({ query: 'rabbit_quorum_queue=true&rabbit_quorum_delivery_limit=5' });
  try {
    await peer.request('serve', { handle: 'py', exchange, topic, server: 'py' });
    const quorum = await connect(amqpUrlWith('rabbit_transient_queues_ttl=60&rabbit_quorum_queue=true&rabbit_quorum_delivery_limit=5'));
    context.transports.push(quorum);
    const server = rpcServer(quorum, target({ exchange, topic, server: 'ts' }), [endpoint('ts')]);
    context.servers.push(server);
    await server.start();
    const client = rpcClient(quorum, target({ exchange, topic }), { timeout: 30_000 });
    assert.is(await client.prepare({ server: 'py' }).call('whoami'), 'py');
    assert.is(await client.prepare({ server: 'ts' }).call('whoami'), 'ts');

    const classic = rpcServer(await open(context), target({ exchange, topic, server: 'classic' }), [endpoint('classic')]);
    const refused = await classic.start().catch((e: unknown) => e);
    assert.instance(refused, MessageDeliveryFailure);
    assert.is(((refused as Error).cause as { code?: number }).code, 406);
    await peer.request('stop', { handle: 'py' });
  } finally {
    await peer.close();
    const ch = await context.broker.channel();
    await ch.deleteExchange(exchange);
    await ch.close();
  }
});

Rpc.run();
