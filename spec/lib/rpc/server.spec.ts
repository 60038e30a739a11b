import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId } from '../../../lib/core/ids.js';
import { connect, InvalidTarget, rpcClient, rpcServer, target, UnsupportedCapability, workerPoolExecutor, type Transport } from '../../../lib/index.js';
import { limitedTransport } from '../../helpers/limited-driver.js';
import type { DispatchOutcome } from '../../../operators/rpc/dispatch.js';

const RpcServer = suite('rpcServer', { transport: undefined as unknown as Transport, topic: '' });
RpcServer.before.each(async (context) => {
  context.transport = await connect(`memory://server-${hexId()}`);
  context.topic = `t-${hexId()}`;
});
RpcServer.after.each((context) => context.transport.close());

RpcServer('should refuse a target without server', ({ transport, topic }) => {
  assert.throws(
    () => rpcServer(transport, target({ topic }), []),
    (e: unknown) => e instanceof InvalidTarget && /needs a server/.test(e.message),
  );
});

RpcServer('should consume after start and not after stop', async ({ transport, topic }) => {
  const server = rpcServer(transport, target({ topic, server: 's' }), [{ ping: () => 'pong' }]);
  assert.not.ok(server.running);
  await server.start();
  assert.ok(server.running);
  const client = rpcClient(transport, target({ topic }), { timeout: 200 });
  assert.is(await client.call('ping'), 'pong');
  await server.stop();
  assert.not.ok(server.running);
  await client.call('ping').then(
    () => assert.unreachable('a stopped server must not answer'),
    () => undefined,
  );
});

RpcServer('should drain in-flight calls on stop', async ({ transport, topic }) => {
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  const server = rpcServer(transport, target({ topic, server: 's' }), [{ slow: async () => (started(), await new Promise((resolve) => setTimeout(resolve, 100)), 'finished') }]);
  await server.start();
  const result = rpcClient(transport, target({ topic }), { timeout: 10_000 }).call('slow');
  await inFlight;
  await server.stop();
  assert.is(await result, 'finished');
});

RpcServer('should serve several targets with one set of endpoints', async ({ transport, topic }) => {
  const other = `t-${hexId()}`;
  const server = rpcServer(transport, [target({ topic, server: 's' }), target({ topic: other, server: 's' })], [{ ping: () => 'pong' }]);
  await server.start();
  assert.is(await rpcClient(transport, target({ topic }), { timeout: 5_000 }).call('ping'), 'pong');
  assert.is(await rpcClient(transport, target({ topic: other }), { timeout: 5_000 }).call('ping'), 'pong');
  await server.stop();
});

RpcServer('should report each outcome', async ({ transport, topic }) => {
  const server = rpcServer(transport, target({ topic, server: 's' }), [{ ping: () => 'pong', _hidden: () => 'no' }]);
  const outcomes: DispatchOutcome[] = [];
  server.outcomes$.subscribe((outcome) => outcomes.push(outcome));
  await server.start();
  const client = rpcClient(transport, target({ topic }), { timeout: 5_000 });
  await client.call('ping');
  await client.call('_hidden').catch(() => undefined);
  await server.stop();
  assert.equal(
    outcomes.map((o) => [o.incoming.method, o.error?.name]),
    [
      ['ping', undefined],
      ['_hidden', 'NoSuchMethod'],
    ],
  );
});

RpcServer('should take start and stop twice without harm', async ({ transport, topic }) => {
  const server = rpcServer(transport, target({ topic, server: 's' }), [{ ping: () => 'pong' }]);
  await server.start();
  await server.start();
  await server.stop();
  await server.stop();
  await server.start();
  assert.is(await rpcClient(transport, target({ topic }), { timeout: 5_000 }).call('ping'), 'pong');
  await server.stop();
});

RpcServer('should keep serving and heartbeating while a CPU-bound handler runs in the worker pool', async ({ transport, topic }) => {
  const module = new URL('../../../examples/cpu-endpoints.js', import.meta.url);
  const { endpoints } = (await import(module.href)) as { endpoints: object[] };
  const executor = workerPoolExecutor({ size: 2, module });
  const server = rpcServer(transport, target({ topic, server: 's' }), endpoints, { executor });
  await server.start();
  // The work takes far longer than the silence the caller tolerates: only heartbeats from the
  // main thread can keep this call alive.
  const client = rpcClient(transport, target({ topic }), { timeout: 120_000, callMonitorTimeout: 300 });
  const order: string[] = [];
  const heavy = client.call('primes', { below: 2_000_000 }).then((count) => (order.push('primes'), count));
  const ping = await client.call('ping').then((answer) => (order.push('ping'), answer));
  assert.is(ping, 'pong');
  assert.is(await heavy, 148933);
  assert.equal(order, ['ping', 'primes'], 'the cheap call is answered while the CPU-bound one runs');
  await server.stop();
  await executor.close();
});

RpcServer.run();

const Capabilities = suite('rpcServer: capabilities');

Capabilities('should refuse atLeastOnce at once on a driver that cannot deliver a message again', async () => {
  const transport = await limitedTransport({ undeliverableDetection: true });
  try {
    assert.throws(
      () => rpcServer(transport, target({ topic: 'demo', server: 'a' }), [], { atLeastOnce: true }),
      (e: unknown) =>
        e instanceof UnsupportedCapability &&
        e.capability === 'requeue' &&
        e.driver === 'limited' &&
        e.message ===
          "The 'limited' driver lacks the capability 'requeue', which an rpcServer with atLeastOnce needs: leave atLeastOnce off (requests are acked on receipt, at most once, as oslo does), or connect to a broker transport (rabbit://)",
    );
    assert.is(rpcServer(transport, target({ topic: 'demo', server: 'a' }), []).running, false);
  } finally {
    await transport.close();
  }
});

Capabilities('should take atLeastOnce on a driver that can deliver a message again', async () => {
  const transport = await limitedTransport({ requeue: true });
  try {
    const server = rpcServer(transport, target({ topic: 'demo', server: 'a' }), [], { atLeastOnce: true });
    await server.start();
    assert.ok(server.running);
    await server.stop();
  } finally {
    await transport.close();
  }
});

Capabilities.run();
