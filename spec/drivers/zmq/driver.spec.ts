import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Dealer, Router } from 'zeromq';
import { InvalidTransportUrl, MessageDeliveryFailure, MessageUndeliverable, UnsupportedCapability } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { parseTransportUrl } from '../../../lib/core/url.js';
import { connect, rpcClient, rpcServer, target, type Transport } from '../../../lib/index.js';
import { driverOf } from '../../../lib/transport.js';
import { createInProcessMatchmaker } from '../../../drivers/zmq/matchmaker-inprocess.js';
import { matchmakerKind, zmqOptions } from '../../../drivers/zmq/options.js';
import { createDealer, createSender } from '../../../drivers/zmq/sockets.js';
import { serverNames } from '../../../drivers/zmq/topology.js';
import { captureLogs } from '../../helpers/logs.js';

const Options = suite('zmq options');

const options = (url: string, given: Record<string, unknown> = {}) => zmqOptions(parseTransportUrl(url), given);

Options("should keep oslo's names and defaults, and take the query over values", () => {
  const resolved = options('zmq://?zmq_target_expire=60&zmq_target_update=20', { zmq_target_expire: 10, rpc_zmq_host: 'node-1' });
  assert.is(resolved.zmq_target_expire, 60);
  assert.is(resolved.zmq_target_update, 20);
  assert.is(resolved.rpc_zmq_host, 'node-1');
  assert.is(resolved.zmq_immediate, false);
  assert.is(resolved.rpc_zmq_serialization, 'json');
  assert.is(resolved.rpc_zmq_min_port, 49153);
});

Options('should refuse an unknown option with InvalidTransportUrl naming it', () => {
  assert.throws(
    () => options('zmq://?rpc_zmq_hots=x'),
    (error: unknown) => error instanceof InvalidTransportUrl && /'rpc_zmq_hots'/.test(error.message),
  );
  assert.throws(
    () => options('zmq://', { zmq_lingr: 1 }),
    (error: unknown) => error instanceof InvalidTransportUrl && /'zmq_lingr'/.test(error.message),
  );
});

Options('should refuse what cannot work: PUB/SUB without a proxy, an update slower than the expiry, an unknown serialization', () => {
  for (const query of ['use_pub_sub=true', 'zmq_target_expire=10&zmq_target_update=10', 'rpc_zmq_serialization=pickle', 'rpc_zmq_min_port=6000&rpc_zmq_max_port=5000']) {
    assert.throws(
      () => options(`zmq://?${query}`),
      (error: unknown) => error instanceof InvalidTransportUrl,
      query,
    );
  }
});

Options('should take the matchmaker from the scheme, then rpc_zmq_matchmaker, else in-process', () => {
  const kind = (url: string) => matchmakerKind(parseTransportUrl(url), options(url));
  assert.is(kind('zmq://'), 'inprocess');
  assert.is(kind('zmq+redis://127.0.0.1:6379/'), 'redis');
  assert.is(kind('zmq+sentinel://127.0.0.1:26379/?sentinel_master=m'), 'sentinel');
  assert.is(kind('zmq://127.0.0.1:6379?rpc_zmq_matchmaker=redis'), 'redis');
  assert.throws(() => kind('zmq+sentinel://127.0.0.1:26379/'), /sentinel_master/);
  assert.throws(() => kind('zmq+etcd://h/'), /unknown matchmaker 'etcd'/);
});

Options.run();

const Driver = suite<{ transports: Transport[] }>('zmq driver', { transports: [] });

Driver.before.each((context) => {
  context.transports = [];
});

Driver.after.each(async (context) => {
  await Promise.all(context.transports.map((transport) => transport.close()));
});

const open = async (context: { transports: Transport[] }, url: string) => {
  const transport = await connect(url);
  context.transports.push(transport);
  return transport;
};

Driver('should declare what it lacks, and reject requeue() with UnsupportedCapability', async (context) => {
  const url = `zmq://driver-${hexId()}`;
  const transport = await open(context, url);
  assert.equal(driverOf(transport).capabilities, { requeue: false, pools: true, durable: false, undeliverableDetection: true });
  const topic = `t-${hexId()}`;
  let ready!: () => void;
  const listening = new Promise<void>((resolve) => (ready = resolve));
  const received = firstValueFrom(transport.listen(target({ topic, server: 'a' }), { onReady: () => ready() }));
  await listening;
  await rpcClient(await open(context, url), target({ topic })).cast('noop');
  const incoming = await received;
  await incoming.ack();
  const error = await incoming.requeue().catch((e: unknown) => e);
  assert.instance(error, UnsupportedCapability);
  assert.is((error as UnsupportedCapability).capability, 'requeue');
  assert.is((error as UnsupportedCapability).driver, 'zmq');
});

Driver('should deliver the reply of a call its server took just before it left the matchmaker', async (context) => {
  const url = `zmq://driver-${hexId()}`;
  const topic = `t-${hexId()}`;
  let ready!: () => void;
  const listening = new Promise<void>((resolve) => (ready = resolve));
  // As a server that stops once its last call is answered: it unregisters while the reply is still on its way.
  const serving = (await open(context, url)).listen(target({ topic, server: 'a' }), { onReady: () => ready() }).subscribe((incoming) => {
    void incoming.reply({ result: 'done', failure: null, ending: true });
    serving.unsubscribe();
  });
  await listening;
  assert.is(await rpcClient(await open(context, url), target({ topic }), { timeout: 5_000 }).call('finish'), 'done');
});

Driver('should fail an at-least-once cast nobody serves with MessageUndeliverable', async (context) => {
  const transport = await open(context, `zmq://driver-${hexId()}`);
  for (const fanout of [false, true]) {
    const error = await rpcClient(transport, target({ topic: `t-${hexId()}`, fanout }), { atLeastOnce: true })
      .cast('noop')
      .catch((e: unknown) => e);
    assert.instance(error, MessageUndeliverable, `fanout: ${fanout}`);
  }
});

Driver('should speak MessagePack with rpc_zmq_serialization=msgpack, one frame with its content type, and send JSON casts bare', async (context) => {
  const url = `zmq://driver-${hexId()}?rpc_zmq_serialization=msgpack`;
  const topic = `t-${hexId()}`;
  const rpc = rpcServer(await open(context, url), target({ topic, server: 'one' }), [{ echo: (args: Record<string, unknown>) => args }]);
  await rpc.start();
  context.transports.push({ close: () => rpc.stop() } as Transport);
  const client = rpcClient(await open(context, url), target({ topic }), { timeout: 10_000 });
  assert.equal(await client.call('echo', { n: 1, nested: { list: [1, 'two', null] } }), { n: 1, nested: { list: [1, 'two', null] } });
  // What goes on the wire: a raw ROUTER as a static fleet's only server.
  const raw = new Router({ linger: 0 });
  await raw.bind('tcp://127.0.0.1:*');
  const fleet = staticFleet('raw', { only: (raw.lastEndpoint as string).replace('tcp://', '') });
  try {
    await rpcClient(await open(context, `${fleet}&rpc_zmq_serialization=msgpack`), target({ topic: 'raw' })).cast('note');
    const [, frame, ...more] = await raw.receive();
    assert.is(more.length, 0, 'one frame after the routing id');
    assert.ok(frame!.toString('latin1').startsWith('rpc application/x-msgpack\n'), frame!.toString('latin1', 0, 40));
    // In JSON, a cast is oslo's bare message dict, not the 2.0 envelope.
    await rpcClient(await open(context, fleet), target({ topic: 'raw' })).cast('note');
    const [, json] = await raw.receive();
    const [head, body] = json!.toString('utf8').split('\n');
    assert.is(head, 'rpc application/json');
    assert.is(JSON.parse(body!).method, 'note');
  } finally {
    raw.close();
  }
});

Driver('should serve a static fleet at the ports its map gives', async (context) => {
  const ports = await Promise.all([freePort(), freePort()]);
  const url = staticFleet('compute', { 'host-1': `127.0.0.1:${ports[0]}`, 'host-2': `127.0.0.1:${ports[1]}` });
  for (const server of ['host-1', 'host-2']) {
    const rpc = rpcServer(await open(context, url), target({ topic: 'compute', server }), [{ whoami: () => server }]);
    await rpc.start();
    context.transports.push({ close: () => rpc.stop() } as Transport);
  }
  const client = rpcClient(await open(context, url), target({ topic: 'compute' }), { timeout: 10_000 });
  assert.is(await client.prepare({ server: 'host-2' }).call('whoami'), 'host-2');
  const names = await Promise.all(Array.from({ length: 8 }, () => client.call('whoami')));
  assert.equal([...new Set(names)].sort(), ['host-1', 'host-2']);
});

Driver('should drop malformed messages and go on serving', async (context) => {
  const port = await freePort();
  const url = staticFleet('compute', { 'host-1': `127.0.0.1:${port}` });
  const rpc = rpcServer(await open(context, url), target({ topic: 'compute', server: 'host-1' }), [{ whoami: () => 'host-1' }]);
  await rpc.start();
  context.transports.push({ close: () => rpc.stop() } as Transport);
  const stranger = new Dealer({ linger: 0 });
  stranger.connect(`tcp://127.0.0.1:${port}`);
  const logs = captureLogs('rx-messaging.zmq');
  try {
    const malformed = [
      ['no header line at all'],
      ['notify application/json\n{}'], // a kind this socket does not take
      ['rpc text/plain\nhello'], // an unknown content type
      ['rpc application/json\nnot json'],
      ['rpc application/json\n{"oslo.version": "2.0", "oslo.message": "{\\"method\\": 1}"}'], // not a request
    ];
    for (const frames of malformed) await stranger.send(frames);
    const warnings = await logs.until(malformed.length, (record) => record.level === 'warn' && record.message.includes('rejected a malformed message'));
    const reasons = [
      /does not start with a '<kind> <content type>' line/,
      /a 'notify' message reached a socket that takes 'rpc'/,
      /unknown content type 'text\/plain'/,
      /not application\/json/,
      /no 'method' string/,
    ];
    for (const [i, reason] of reasons.entries()) assert.match(String(warnings[i]?.fields?.['reason']), reason);
    const client = rpcClient(await open(context, url), target({ topic: 'compute' }), { timeout: 10_000 });
    assert.is(await client.call('whoami'), 'host-1');
  } finally {
    logs.restore();
    stranger.close();
  }
});

Driver('should take each frame of a ZeroMQ message for a message, rejecting a malformed one alone', async (context) => {
  const port = await freePort();
  const url = staticFleet('compute', { 'host-1': `127.0.0.1:${port}` });
  const seen: number[] = [];
  const rpc = rpcServer(await open(context, url), target({ topic: 'compute', server: 'host-1' }), [{ note: ({ n }: { n: number }) => void seen.push(n) }]);
  await rpc.start();
  context.transports.push({ close: () => rpc.stop() } as Transport);
  const stranger = new Dealer({ linger: 0 });
  stranger.connect(`tcp://127.0.0.1:${port}`);
  const logs = captureLogs('rx-messaging.zmq');
  const cast = (n: number) => `rpc application/json\n${JSON.stringify({ method: 'note', args: { n }, _unique_id: hexId() })}`;
  try {
    await stranger.send([cast(1), 'no header line at all', cast(2), cast(3)]);
    const [warning] = await logs.until(1, (record) => record.level === 'warn' && record.message.includes('rejected a malformed message'));
    assert.match(String(warning?.fields?.['reason']), /does not start with a '<kind> <content type>' line/);
    const client = rpcClient(await open(context, url), target({ topic: 'compute' }), { timeout: 10_000 });
    await client.prepare({ server: 'host-1' }).call('note', { n: 4 });
    assert.equal(seen, [1, 2, 3, 4]);
  } finally {
    logs.restore();
    stranger.close();
  }
});

Driver('should fail sends to a server that stopped reading with MessageDeliveryFailure, its queue bounded', async (context) => {
  // A ROUTER registered as a server of the topic that never reads: a stalled receiver.
  const name = `driver-${hexId()}`;
  const topic = `t-${hexId()}`;
  const stalled = new Router({ receiveHighWaterMark: 1, linger: 0 });
  await stalled.bind('tcp://127.0.0.1:*');
  const member = (stalled.lastEndpoint as string).replace('tcp://', '');
  const registry = createInProcessMatchmaker(name, 300_000, 180_000);
  await registry.register(serverNames(target({ topic, server: 'stalled' }), 'openstack'), member);
  try {
    const transport = await open(context, `zmq://${name}?zmq_send_hwm=1&zmq_send_timeout=0.3&zmq_send_queue=4`);
    const casts = Array.from({ length: 40 }, (_, n) =>
      driverOf(transport).send(target({ topic }), { method: 'm', args: { n, pad: 'x'.repeat(100_000) }, context: {}, uniqueId: hexId() }),
    );
    const outcomes = await Promise.allSettled(casts);
    const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    assert.ok(failures.length > 0, 'a stalled receiver makes sends fail');
    for (const failure of failures) assert.instance(failure.reason, MessageDeliveryFailure);
    assert.ok(
      failures.some((failure) => /send queue is full/.test(failure.reason.message)),
      'the queue refused what it had no room for',
    );
  } finally {
    await registry.close();
    stalled.close();
  }
});

Driver.run();

const Sender = suite('zmq send queue');

/** A send queue (with the options of `url`) on a DEALER to a ROUTER that holds one message at most until read. */
async function senderToSlowRouter(url: string) {
  const router = new Router({ receiveHighWaterMark: 1, linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  const given = options(url);
  const dealer = createDealer(await import('zeromq'), given, 'slow', undefined);
  dealer.connect(router.lastEndpoint as string);
  return { router, dealer, sender: createSender(dealer, given, 'the slow router', () => new Error('closed')) };
}

Sender('should hold at most its capacity, refusing the rest at once and failing timed-out sends, all typed', async () => {
  const { router: stalled, dealer, sender } = await senderToSlowRouter('zmq://?zmq_send_hwm=1&zmq_send_timeout=0.2&zmq_send_queue=3');
  try {
    let most = 0;
    const sends = Array.from({ length: 30 }, () => {
      const sent = sender.send([Buffer.alloc(200_000)]);
      most = Math.max(most, sender.queued);
      return sent;
    });
    const outcomes = await Promise.allSettled(sends);
    assert.ok(most <= 3, `at most 3 waited, saw ${most}`);
    const reasons = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as Error] : []));
    assert.is(reasons.filter((reason) => /send queue is full/.test(reason.message)).length, 27);
    for (const reason of reasons) assert.instance(reason, MessageDeliveryFailure);
    assert.is(sender.queued, 0);
  } finally {
    dealer.close();
    stalled.close();
  }
});

Sender('should deliver every send, in order, once a stalled receiver starts reading within the send timeout', async () => {
  const { router: slow, dealer, sender } = await senderToSlowRouter('zmq://?zmq_send_hwm=1&zmq_send_timeout=20&zmq_send_queue=40');
  try {
    const sends = Array.from({ length: 30 }, (_, i) => sender.send([Buffer.alloc(200_000, i)]));
    // Nothing is read until the queue is backed up: the sends wait at the high-water mark.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.ok(sender.queued > 0, 'sends were waiting for room');
    const received: number[] = [];
    while (received.length < 30) {
      const [, ...bodies] = await slow.receive();
      received.push(...bodies.map((body) => body[0]!));
    }
    await Promise.all(sends);
    assert.equal(
      received,
      Array.from({ length: 30 }, (_, i) => i),
    );
  } finally {
    dealer.close();
    slow.close();
  }
});

Sender("should send the messages waiting for one peer as one ZeroMQ message, at most 64, a ROUTER's by routing id, in order", async () => {
  const zmq = await import('zeromq');
  const given = options('zmq://');
  const router = new Router({ linger: 0 });
  await router.bind('tcp://127.0.0.1:*');
  const dealers = [createDealer(zmq, given, 'a', undefined), createDealer(zmq, given, 'b', undefined)];
  try {
    for (const dealer of dealers) dealer.connect(router.lastEndpoint as string);
    const toRouter = createSender(dealers[0]!, given, 'the router', () => new Error('closed'));
    // While the first send is in progress, the next 99 wait: they leave as 64 and 35.
    await Promise.all(Array.from({ length: 100 }, (_, i) => toRouter.send([`m${i}`])));
    const sizes: number[] = [];
    const bodies: string[] = [];
    while (bodies.length < 100) {
      const [, ...frames] = await router.receive();
      sizes.push(frames.length);
      bodies.push(...frames.map(String));
    }
    assert.equal(sizes, [1, 64, 35]);
    assert.equal(
      bodies,
      Array.from({ length: 100 }, (_, i) => `m${i}`),
    );
    // A ROUTER's messages to two callers: each caller's leave together, behind its routing id.
    await dealers[1]!.send(['hello']);
    const [idB] = await router.receive();
    await dealers[0]!.send(['hello']);
    const [idA] = await router.receive();
    const replies = createSender(router, given, 'the callers', () => new Error('closed'), true);
    await Promise.all([replies.send([idA!, 'a0']), replies.send([idA!, 'a1']), replies.send([idA!, 'a2']), replies.send([idB!, 'b0']), replies.send([idA!, 'a3'])]);
    const readAll = async (dealer: Dealer, count: number) => {
      const messages: string[][] = [];
      while (messages.flat().length < count) messages.push((await dealer.receive()).map(String));
      return messages;
    };
    assert.equal(await readAll(dealers[0]!, 4), [['a0'], ['a1', 'a2'], ['a3']]);
    assert.equal(await readAll(dealers[1]!, 1), [['b0']]);
  } finally {
    for (const dealer of dealers) dealer.close();
    router.close();
  }
});

Sender.run();

/** A `zmq://` URL of a static fleet: `topic`'s servers at the endpoints given, in a map file of its own. */
function staticFleet(topic: string, servers: Record<string, string>): string {
  const file = join(tmpdir(), `rxm-static-${hexId()}.yaml`);
  writeFileSync(
    file,
    `${topic}:\n${Object.entries(servers)
      .map(([server, endpoint]) => `  ${server}: ${endpoint}\n`)
      .join('')}`,
  );
  return `zmq://?rpc_zmq_matchmaker=static&zmq_static_targets=${encodeURIComponent(file)}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
