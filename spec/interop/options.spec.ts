/**
 * Options beside a real oslo.messaging process. The release installed here (14.0.3) knows only
 * the misspelled `rabbit_quroum_max_memory_length`: rx-messaging, set with the spelling of later
 * releases, declares the same quorum queue beside it. The options 14.0.3 lacks (stream fanout,
 * transient quorum queues, the queue manager) are checked beside raw declarations mirroring
 * current oslo in spec/drivers/amqp/oslo-current.spec.ts.
 */
import { randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import { connect, rpcServer, target } from '../../lib/index.js';
import { amqpUrlWith, serviceSuite } from '../helpers/services.js';
import { rawBroker } from '../drivers/amqp/support.js';
import { startPeer } from './peer.js';

const Options = await serviceSuite('interop: options beside oslo.messaging 14.0.3', ['rabbitmq', 'oslo']);

Options("should declare a quorum queue with rabbit_quorum_max_memory_length beside oslo's misspelled rabbit_quroum_max_memory_length", async () => {
  const topic = `options_${randomBytes(6).toString('hex')}`;
  // Quorum queues make the exchange durable: one of its own, as 'openstack' may exist non-durable.
  const exchange = topic;
  const peer = await startPeer({ query: 'rabbit_quorum_queue=true&rabbit_quroum_max_memory_length=100&rabbit_quroum_max_memory_bytes=65536' });
  const transport = await connect(amqpUrlWith('rabbit_quorum_queue=true&rabbit_quorum_max_memory_length=100&rabbit_quorum_max_memory_bytes=65536&rabbit_transient_queues_ttl=60'));
  const broker = await rawBroker();
  try {
    await peer.request('serve', { handle: 'py', topic, server: 'py', exchange });
    const server = rpcServer(transport, target({ topic, server: 'ts', exchange }), [{ whoami: () => 'ts' }]);
    await server.start();
    // Its start declared the shared topic queue as the Python server had: a different declaration would have been a 406.
    assert.is((await peer.request<{ result: unknown }>('call', { topic, server: 'ts', exchange, method: 'whoami', timeout: 30 })).result, 'ts');
    await server.stop();
  } finally {
    await transport.close();
    await peer.close();
    await broker.deleteQueues(topic, `${topic}.py`, `${topic}.ts`);
    const ch = await broker.channel();
    await ch.deleteExchange(exchange);
    await ch.close();
    await broker.close();
  }
});

Options.run();
