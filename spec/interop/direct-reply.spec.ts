/**
 * Direct reply-to (`rabbit_direct_reply_to=true` on the rx end) beside real oslo.messaging 14
 * processes (spec/interop/peer.py): a Python server answers an advertising rx caller at its
 * `_reply_q` as ever, a Python caller (which never advertises) is answered by an rx server at its
 * `_reply_q`, and a topic served by an rx server and a Python server together answers every call
 * exactly once. The rest of spec/interop runs with the option at its default too.
 */
import { randomBytes } from 'node:crypto';
import { filter } from 'rxjs';
import * as assert from 'uvu/assert';
import { connect, rpcClient, rpcServer, target, type Transport } from '../../lib/index.js';
import { driverOf } from '../../lib/transport.js';
import { amqpUrlWith, serviceSuite } from '../helpers/services.js';
import { rawBroker, type RawBroker } from '../drivers/amqp/support.js';
import { startPeer, type PythonPeer } from './peer.js';

interface Context {
  peer: PythonPeer;
  broker: RawBroker;
}

const Direct = await serviceSuite<Context>('interop: direct reply-to beside oslo.messaging', ['rabbitmq', 'oslo'], {} as Context);

Direct.before(async (context) => {
  context.peer = await startPeer();
  context.broker = await rawBroker();
});

Direct.after(async ({ peer, broker }) => {
  await peer.close();
  await broker.close();
});

const topicName = () => `direct_${randomBytes(6).toString('hex')}`;
// Reply and fanout queues left by a test expire a minute after it.
const open = (): Promise<Transport> => connect(amqpUrlWith('rabbit_transient_queues_ttl=60&rabbit_direct_reply_to=true'));

Direct('should be answered by a Python server at _reply_q, heartbeats included, when calling with direct reply-to on', async ({ peer, broker }) => {
  const topic = topicName();
  await peer.request('serve', { handle: 'p', topic, server: 'p' });
  const transport = await open();
  try {
    const client = rpcClient(transport, target({ topic }), { timeout: 30_000, callMonitorTimeout: 2_000 });
    assert.is(await client.call('whoami'), 'p');
    // oslo heartbeats every second at _reply_q; without them the call would fail after 2 s.
    assert.is(await client.call('slow', { seconds: 3, value: 'kept alive' }), 'kept alive');
  } finally {
    await peer.request('stop', { handle: 'p' });
    await transport.close();
    await broker.deleteQueues(topic, `${topic}.p`);
  }
});

Direct('should answer a Python caller at its _reply_q from an rx server with direct reply-to on', async ({ peer, broker }) => {
  const topic = topicName();
  const transport = await open();
  const server = rpcServer(transport, target({ topic, server: 'ts' }), [
    { whoami: () => 'ts', slow: async ({ ms }: { ms: number }) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)) },
  ]);
  try {
    await server.start();
    assert.is((await peer.request<{ result: unknown }>('call', { topic, method: 'whoami', timeout: 30 })).result, 'ts');
    assert.is((await peer.request<{ result: unknown }>('call', { topic, method: 'slow', args: { ms: 2_500 }, timeout: 30, call_monitor_timeout: 2 })).result, 2_500);
  } finally {
    await server.stop();
    await transport.close();
    await broker.deleteQueues(topic, `${topic}.ts`);
  }
});

Direct('should answer every call exactly once on a topic served by an rx server and a Python server together', async ({ peer, broker }) => {
  const topic = topicName();
  await peer.request('serve', { handle: 'py', topic, server: 'py' });
  const serving = await open();
  let handled = 0;
  const server = rpcServer(serving, target({ topic, server: 'ts' }), [
    {
      whoami: () => {
        handled++;
        return 'ts';
      },
    },
  ]);
  const calling = await open();
  try {
    await server.start();
    const { replies$ } = await driverOf(calling).replyChannel();
    const endings = new Map<string, number>();
    const counting = replies$.pipe(filter((reply) => reply.ending)).subscribe((reply) => endings.set(reply.msgId, (endings.get(reply.msgId) ?? 0) + 1));
    const client = rpcClient(calling, target({ topic }), { timeout: 30_000 });
    const answers = await Promise.all(Array.from({ length: 40 }, () => client.call('whoami')));
    // One more behind them, so a duplicate of any of those replies would have arrived by its end.
    answers.push(await client.call('whoami'));
    counting.unsubscribe();
    const by = (name: string) => answers.filter((answer) => answer === name).length;
    assert.ok(by('py') > 0 && by('ts') > 0, `both servers took calls: ${by('py')} Python, ${by('ts')} rx`);
    assert.is(by('py') + by('ts'), 41);
    assert.is(handled, by('ts'), 'the rx server handled exactly the calls it answered');
    assert.is(endings.size, 41, 'one ending reply per call');
    assert.ok(
      [...endings.values()].every((count) => count === 1),
      'no call was answered twice',
    );
  } finally {
    await server.stop();
    await peer.request('stop', { handle: 'py' });
    await Promise.all([serving.close(), calling.close()]);
    await broker.deleteQueues(topic, `${topic}.ts`, `${topic}.py`);
  }
});

Direct.run();
