/**
 * The options oslo.messaging added after 14.0.3 (the release installed here, which has none of
 * them): rabbit_transient_quorum_queue, rabbit_stream_fanout, use_queue_manager,
 * kombu_reconnect_splay, heartbeat_rate 3, and rabbit_quorum_max_memory_* spelled right. The
 * declarations are checked beside raw amqplib ones made with the arguments of current oslo's
 * impl_rabbit.py (`_get_queue_arguments`, `declare_fanout_consumer`, `declare_direct_consumer`,
 * `fanout_send`): equal declarations pass, so a Python service of that release sees no 406.
 */
import { hostname } from 'node:os';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidTransportUrl } from '../../../lib/core/errors.js';
import { parseTransportUrl } from '../../../lib/core/url.js';
import { connect, rpcClient, rpcServer, target, type RpcServer, type Transport } from '../../../lib/index.js';
import { amqpOptions, retryDelaySeconds } from '../../../drivers/amqp/options.js';
import { rpcServerTopology, uniqueQueueId } from '../../../drivers/amqp/topology.js';
import { serviceSuite } from '../../helpers/services.js';
import { brokerUrl, rawBroker, uniqueTopic, within, type RawBroker } from './support.js';

const options = (query: string) => amqpOptions(parseTransportUrl(`rabbit://h/?${query}`), {});

const Options = suite('amqp options of current oslo.messaging');

Options('should take both spellings of the quorum memory limits, and refuse them disagreeing', () => {
  const correct = rpcServerTopology(
    options('rabbit_quorum_queue=true&rabbit_quorum_max_memory_length=10&rabbit_quorum_max_memory_bytes=2048'),
    target({ topic: 't', server: 's' }),
    'openstack',
    'x',
  );
  const misspelled = rpcServerTopology(
    options('rabbit_quorum_queue=true&rabbit_quroum_max_memory_length=10&rabbit_quroum_max_memory_bytes=2048'),
    target({ topic: 't', server: 's' }),
    'openstack',
    'x',
  );
  assert.equal(correct.queues[0]?.arguments, { 'x-queue-type': 'quorum', 'x-max-in-memory-length': 10, 'x-max-in-memory-bytes': 2048 });
  assert.equal(misspelled.queues[0]?.arguments, correct.queues[0]?.arguments);
  assert.throws(
    () => options('rabbit_quorum_max_memory_length=10&rabbit_quroum_max_memory_length=20'),
    (error: unknown) => error instanceof InvalidTransportUrl,
  );
});

Options('should default heartbeat_rate to 3, as oslo.messaging does since 14.5.0', () => {
  assert.is(options('').heartbeat_rate, 3);
});

Options('should refuse rabbit_stream_fanout without transient quorum queues or a prefetch, as oslo does', () => {
  assert.throws(() => options('rabbit_stream_fanout=true'), /rabbit_transient_quorum_queue/);
  assert.throws(() => options('rabbit_stream_fanout=true&rabbit_transient_quorum_queue=true&rabbit_qos_prefetch_count=0'), /prefetch/);
  assert.throws(() => options('rabbit_transient_quorum_queue=true&rabbit_ha_queues=true'), /quorum or mirrored/);
});

Options('should add up to kombu_reconnect_splay seconds at random to a reconnect delay', () => {
  const splay = options('kombu_reconnect_splay=2');
  assert.is(
    retryDelaySeconds(splay, 0, () => 0),
    1,
  );
  assert.is(
    retryDelaySeconds(splay, 0, () => 0.5),
    2,
  );
  assert.is(
    retryDelaySeconds(options(''), 0, () => 0.5),
    1,
  );
});

Options('should name reply and fanout queues after hostname and processname with use_queue_manager, numbered from 1', () => {
  const processname = `spec-${process.pid}-names`;
  const managed = options(`use_queue_manager=true&hostname=node1&processname=${processname}`);
  assert.is(uniqueQueueId(managed), `node1:${processname}:1`);
  assert.is(uniqueQueueId(managed), `node1:${processname}:2`);
  assert.is(uniqueQueueId(options(`use_queue_manager=true&processname=${processname}`)), `${hostname()}:${processname}:1`);
  assert.match(uniqueQueueId(options('')), /^[0-9a-f]{32}$/);
});

Options.run();

interface Context {
  broker: RawBroker;
  transports: Transport[];
  servers: RpcServer[];
  queues: string[];
}

const Broker = await serviceSuite<Context>('amqp declarations of current oslo.messaging beside raw ones', ['rabbitmq'], {} as Context);

Broker.before(async (context) => {
  context.broker = await rawBroker();
});

Broker.after(async ({ broker }) => {
  await broker.close();
});

Broker.before.each((context) => {
  context.transports = [];
  context.servers = [];
  context.queues = [];
});

Broker.after.each(async ({ transports, servers, queues, broker }) => {
  await Promise.all(servers.map((server) => server.stop()));
  await Promise.all(transports.map((transport) => transport.close()));
  await broker.deleteQueues(...queues);
});

async function open(context: Context, query: string): Promise<Transport> {
  const transport = await connect(brokerUrl({ query }));
  context.transports.push(transport);
  return transport;
}

const STREAM = 'rabbit_transient_quorum_queue=true&rabbit_stream_fanout=true&rabbit_transient_queues_ttl=60';

Broker("should declare oslo's stream fanout queue, and serve every server from it", async (context) => {
  const { broker } = context;
  const topic = uniqueTopic('stream');
  context.queues.push(topic, `${topic}.a`, `${topic}.b`, `${topic}_fanout`);
  const received: string[] = [];
  let both!: () => void;
  const arrived = new Promise<void>((resolve) => (both = resolve));
  for (const name of ['a', 'b']) {
    const server = rpcServer(await open(context, STREAM), target({ topic, server: name }), [{ note: () => void (received.push(name), received.length === 2 && both()) }]);
    context.servers.push(server);
    await server.start();
  }
  // What current oslo declares: declare_fanout_consumer (durable, not auto-delete) with _get_queue_arguments' stream branch.
  assert.is(await broker.declareQueue(`${topic}_fanout`, { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'stream', 'x-max-age': '60s' } }), 200);
  const ch = await broker.channel();
  // fanout_send: durable=rabbit_transient_quorum_queue, auto_delete.
  await ch.assertExchange(`${topic}_fanout`, 'fanout', { durable: true, autoDelete: true });
  await ch.close();
  await rpcClient(await open(context, STREAM), target({ topic, fanout: true })).cast('note');
  await within(arrived, 'the fanout cast at both servers');
  assert.equal(received.sort(), ['a', 'b']);
});

Broker('should declare reply and fanout queues as quorum with rabbit_transient_quorum_queue, as current oslo does', async (context) => {
  const { broker } = context;
  const topic = uniqueTopic('tquorum');
  context.queues.push(topic, `${topic}.a`);
  const query = `rabbit_transient_quorum_queue=true&rabbit_transient_queues_ttl=60&use_queue_manager=true&processname=spec-${process.pid}-${topic}`;
  const server = rpcServer(await open(context, query), target({ topic, server: 'a' }), [{ ping: () => 'pong' }]);
  context.servers.push(server);
  await server.start();
  assert.is(await rpcClient(await open(context, query), target({ topic, server: 'a' }), { timeout: 30_000 }).call('ping'), 'pong');
  // declare_direct_consumer and declare_fanout_consumer: durable, _get_queue_arguments with quorum and x-expires; names from the QManager.
  const prefix = `${hostname()}:spec-${process.pid}-${topic}`;
  const quorum = { durable: true, autoDelete: false, arguments: { 'x-queue-type': 'quorum', 'x-expires': 60_000 } };
  const reply = `reply_${prefix}:2`;
  const fanout = `${topic}_fanout_${prefix}:1`;
  context.queues.push(reply, fanout);
  assert.is(await broker.declareQueue(fanout, quorum), 200, fanout);
  assert.is(await broker.declareQueue(reply, quorum), 200, reply);
});

Broker.run();
