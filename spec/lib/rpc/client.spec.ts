import { firstValueFrom, take, toArray, interval } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { IncomingCall } from '../../../lib/driver/rpc.js';
import { hexId } from '../../../lib/core/ids.js';
import {
  connect,
  InvalidTarget,
  TransportClosed,
  MessageUndeliverable,
  rpcClient,
  rpcServer,
  RpcVersionCapError,
  target,
  UnsupportedCapability,
  type Serializer,
  type Transport,
} from '../../../lib/index.js';
import { limitedTransport } from '../../helpers/limited-driver.js';

const RpcClient = suite('rpcClient', { transport: undefined as unknown as Transport, topic: '' });
RpcClient.before.each(async (context) => {
  context.transport = await connect(`memory://client-${hexId()}`);
  context.topic = `t-${hexId()}`;
});
RpcClient.after.each((context) => context.transport.close());

/** The raw requests a server of `topic` receives (acked, never answered). */
async function received(transport: Transport, topic: string): Promise<{ seen: IncomingCall[]; stop: () => void }> {
  const seen: IncomingCall[] = [];
  let ready!: () => void;
  const listening = new Promise<void>((resolve) => (ready = resolve));
  const subscription = transport.listen(target({ topic, server: 'raw' }), { onReady: () => ready() }).subscribe((incoming) => {
    seen.push(incoming);
    void incoming.ack();
  });
  await listening;
  return { seen, stop: () => subscription.unsubscribe() };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

RpcClient('should send namespace, version, context and a 60 s default timeout on a call', async ({ transport, topic }) => {
  const raw = await received(transport, topic);
  const client = rpcClient(transport, target({ topic, namespace: 'ns', version: '2.1' }), { callMonitorTimeout: 2_000 });
  const pending = client.call('ping', { a: 1 }, { user_id: 'u1' }).catch((e: unknown) => e);
  while (raw.seen.length === 0) await tick();
  const [incoming] = raw.seen;
  assert.is(incoming!.method, 'ping');
  assert.equal(incoming!.args, { a: 1 });
  assert.is(incoming!.namespace, 'ns');
  assert.is(incoming!.version, '2.1');
  assert.equal(incoming!.context, { user_id: 'u1' });
  assert.is(incoming!.call!.timeoutMs, 60_000);
  assert.is(incoming!.call!.callMonitorTimeout, 2_000, 'callMonitorTimeout reaches the server in the unit it was given');
  raw.stop();
  await transport.close();
  assert.instance(await pending, TransportClosed, 'closing the transport fails the pending call');
});

RpcClient('should send nothing until call$ is subscribed, and one call per subscription', async ({ transport, topic }) => {
  const raw = await received(transport, topic);
  const call$ = rpcClient(transport, target({ topic }), { timeout: 50 }).call$('ping');
  await tick();
  assert.is(raw.seen.length, 0);
  await Promise.all([firstValueFrom(call$).catch(() => 0), firstValueFrom(call$).catch(() => 0)]);
  assert.is(raw.seen.length, 2);
  raw.stop();
});

RpcClient('should refuse a version above the cap and report it with canSendVersion', async ({ transport, topic }) => {
  const client = rpcClient(transport, target({ topic, version: '2.0' }), { versionCap: '2.3' });
  assert.ok(client.canSendVersion());
  assert.ok(client.canSendVersion('2.3'));
  assert.not.ok(client.canSendVersion('2.4'));
  assert.not.ok(client.canSendVersion('3.0'));
  const error = await client
    .prepare({ version: '2.5' })
    .call('ping')
    .catch((e: unknown) => e);
  assert.instance(error, RpcVersionCapError);
  assert.match((error as Error).message, /2\.5.*2\.3/);
  await client
    .prepare({ version: '2.5' })
    .cast('ping')
    .then(
      () => assert.unreachable('the cast must be refused'),
      (e: unknown) => assert.instance(e, RpcVersionCapError),
    );
});

RpcClient('should prepare a new client and leave the original unchanged', ({ transport, topic }) => {
  const client = rpcClient(transport, target({ topic }), { timeout: 1_000 });
  const prepared = client.prepare({ server: 'host-1', timeout: 5, version: '1.2' });
  assert.equal(client.target, { topic });
  assert.equal(prepared.target, { topic, server: 'host-1', version: '1.2' });
  assert.is(client.options.timeout, 1_000);
  assert.is(prepared.options.timeout, 5);
  assert.equal(prepared.prepare({ fanout: true }).target, { topic, server: 'host-1', version: '1.2', fanout: true });
});

RpcClient('should refuse a fanout call and a target without topic with InvalidTarget', async ({ transport, topic }) => {
  const fanout = await rpcClient(transport, target({ topic, fanout: true }))
    .call('ping')
    .catch((e: unknown) => e);
  assert.instance(fanout, InvalidTarget);
  assert.match((fanout as Error).message, /cannot be fanout/);
  const noTopic = await rpcClient(transport, target({ server: 'x' }))
    .cast('ping')
    .catch((e: unknown) => e);
  assert.instance(noTopic, InvalidTarget);
  assert.match((noTopic as Error).message, /needs a topic/);
});

RpcClient('should refuse arguments that are not an object of named arguments', async ({ transport, topic }) => {
  const error = await rpcClient(transport, target({ topic }))
    .cast('ping', [1, 2] as never)
    .catch((e: unknown) => e);
  assert.instance(error, TypeError);
  assert.match((error as Error).message, /named arguments/);
});

RpcClient('should fail at once with MessageUndeliverable when at-least-once is asked and nobody listens', async ({ transport, topic }) => {
  const error = await rpcClient(transport, target({ topic }), { atLeastOnce: true })
    .cast('ping')
    .catch((e: unknown) => e);
  assert.instance(error, MessageUndeliverable);
});

RpcClient('should run the serializer on arguments, context and results', async ({ transport, topic }) => {
  const server = rpcServer(transport, target({ topic, server: 's' }), [
    { double: (args: { n: number }, context: Record<string, unknown>) => ({ n: args.n * 2, tenant: context['tenant'] }) },
  ]);
  await server.start();
  const serializer: Serializer = {
    serializeEntity: (_c, e) => (typeof e === 'number' ? e + 1 : e),
    deserializeEntity: (_c, e) => ({ deserialized: e }),
    serializeContext: (c) => ({ ...c, tenant: 't-1' }),
    deserializeContext: (c) => c,
  };
  const result = await rpcClient(transport, target({ topic }), { serializer }).call('double', { n: 1 }, {});
  assert.equal(result, { deserialized: { n: 4, tenant: 't-1' } });
  await server.stop();
});

RpcClient('should stop a streamed call when the subscriber has enough', async ({ transport, topic }) => {
  const server = rpcServer(transport, target({ topic, server: 's' }), [{ ticks: () => interval(5).pipe(take(50)) }]);
  await server.start();
  const firstThree = await firstValueFrom(rpcClient(transport, target({ topic })).call$('ticks').pipe(take(3), toArray()));
  assert.equal(firstThree, [0, 1, 2]);
  await server.stop();
});

RpcClient.run();

// --- types: a typed API types method names, arguments and results.
interface ComputeApi {
  get_host(args: { id: number }): { id: number; host: string };
  tail_log(args: { lines: number }): import('rxjs').Observable<string>;
}
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type TypeChecks = [
  Expect<Equal<Awaited<ReturnType<typeof typedCall>>, { id: number; host: string }>>,
  Expect<Equal<ReturnType<typeof typedStream>, import('rxjs').Observable<string>>>,
];
declare const typed: import('../../../lib/index.js').RpcClient<ComputeApi>;
const typedCall = () => typed.call('get_host', { id: 1 });
const typedStream = () => typed.call$('tail_log', { lines: 2 });
// @ts-expect-error: unknown method
export const wrongMethod = () => typed.call('reboot', {});
// @ts-expect-error: wrong argument type
export const wrongArgs = () => typed.call('get_host', { id: 'one' });

const Capabilities = suite('rpcClient: capabilities');

Capabilities('should refuse atLeastOnce at once on a driver that cannot tell an undeliverable message, for a client and a prepared one', async () => {
  const transport = await limitedTransport();
  try {
    const expected = (e: unknown) =>
      e instanceof UnsupportedCapability &&
      e.capability === 'undeliverableDetection' &&
      e.driver === 'limited' &&
      e.message ===
        "The 'limited' driver lacks the capability 'undeliverableDetection', which an rpcClient with atLeastOnce needs: leave atLeastOnce off (a call nobody receives then fails with MessagingTimeout), or connect to a broker transport (rabbit://)";
    assert.throws(() => rpcClient(transport, target({ topic: 'demo' }), { atLeastOnce: true }), expected);
    const client = rpcClient(transport, target({ topic: 'demo' }));
    assert.throws(() => client.prepare({ atLeastOnce: true }), expected);
    await client.prepare({ atLeastOnce: false }).cast('note');
  } finally {
    await transport.close();
  }
});

Capabilities('should take atLeastOnce on a driver that tells an undeliverable message', async () => {
  const transport = await limitedTransport({ undeliverableDetection: true });
  try {
    await rpcClient(transport, target({ topic: 'demo' }), { atLeastOnce: true }).cast('note');
  } finally {
    await transport.close();
  }
});

Capabilities.run();
