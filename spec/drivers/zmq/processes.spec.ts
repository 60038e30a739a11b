/**
 * Servers in other processes over the Redis matchmaker: a clean stop, a SIGKILL and a restart
 * on a new port. Calls carry short timeouts and are retried while the client catches up: the
 * loops are failure guards; what is asserted is where calls end up.
 */
import { Redis } from 'ioredis';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId } from '../../../lib/core/ids.js';
import { connect, MessageDeliveryFailure, MessagingTimeout, rpcClient, target, type RpcClient, type Transport } from '../../../lib/index.js';
import { redisKeys } from '../../../drivers/zmq/matchmaker-redis.js';
import { topicName } from '../../../drivers/zmq/topology.js';
import { redisUnavailable, skippedSuite } from '../../helpers/services.js';
import { deleteRedisKeys, eventually, startServerChild, type ServerChild } from './support.js';

interface Context {
  url: string;
  prefix: string;
  children: ServerChild[];
  transports: Transport[];
}

const reason = await redisUnavailable();
const Processes = reason === undefined ? suite<Context>('zmq: servers in other processes (Redis)') : skippedSuite<Context>('zmq: servers in other processes (Redis)', reason);

Processes.before.each((context) => {
  context.prefix = `rxm-spec-${hexId()}:`;
  // The default zmq_target_expire (300 s): whatever happens here happens long before a registration expires.
  context.url = `zmq+redis://127.0.0.1:6379/?zmq_matchmaker_prefix=${encodeURIComponent(context.prefix)}`;
  context.children = [];
  context.transports = [];
});

Processes.after.each(async (context) => {
  for (const { child } of context.children) child.kill('SIGKILL');
  await Promise.all(context.transports.map((transport) => transport.close()));
  await deleteRedisKeys(context.prefix);
});

const serve = async (context: Context, topic: string, server: string) => {
  const child = await startServerChild(context.url, topic, server);
  context.children.push(child);
  return child;
};

const client = async (context: Context, topic: string) => {
  const transport = await connect(context.url);
  context.transports.push(transport);
  return rpcClient(transport, target({ topic }), { timeout: 2_000 });
};

type Who = { server: string; pid: number };

/** Who answers `count` calls; a call lost to a server that just went away (failed at once, or timed out) is a `null`. */
const answers = (rpc: RpcClient, count: number) =>
  Promise.all(
    Array.from({ length: count }, () =>
      rpc.call('whoami').then(
        (who) => who as Who,
        (error: unknown) => (error instanceof MessagingTimeout || error instanceof MessageDeliveryFailure ? null : Promise.reject(error)),
      ),
    ),
  );

const members = async (context: Context, name: string) => {
  const redis = new Redis({ lazyConnect: true });
  await redis.connect();
  try {
    return await redis.smembers(redisKeys(context.prefix).set(name));
  } finally {
    redis.disconnect();
  }
};

Processes('should serve calls from a server in another process', async (context) => {
  const topic = `zmq-${hexId()}`;
  const child = await serve(context, topic, 'a');
  const rpc = await client(context, topic);
  assert.equal(await rpc.call('whoami'), { server: 'a', pid: child.child.pid });
});

Processes('should unregister a server that stops cleanly, and send every call to the other', async (context) => {
  const topic = `zmq-${hexId()}`;
  const a = await serve(context, topic, 'a');
  await serve(context, topic, 'b');
  const rpc = await client(context, topic);
  const before = await answers(rpc, 10);
  assert.ok(before.some((who) => who?.server === 'a') && before.some((who) => who?.server === 'b'), 'both serve at first');
  await a.stop();
  assert.is((await members(context, topicName(target({ topic }), 'openstack'))).length, 1, 'only b is left registered');
  await eventually(async () => (await answers(rpc, 6)).every((who) => who?.server === 'b'), 50, 'every call going to b');
  assert.ok((await answers(rpc, 10)).every((who) => who?.server === 'b'));
});

Processes('should fail over from a server killed with SIGKILL without waiting for its registration to expire', async (context) => {
  const topic = `zmq-${hexId()}`;
  const a = await serve(context, topic, 'a');
  await serve(context, topic, 'b');
  const rpc = await client(context, topic);
  assert.ok((await answers(rpc, 10)).some((who) => who?.server === 'a'));
  a.child.kill('SIGKILL');
  await a.exited;
  await eventually(async () => (await answers(rpc, 6)).every((who) => who?.server === 'b'), 50, 'every call going to b');
  assert.ok((await answers(rpc, 10)).every((who) => who?.server === 'b'));
  assert.is((await members(context, topicName(target({ topic }), 'openstack'))).length, 2, "a's registration has not expired: failover did not wait for it");
});

Processes('should reach a server that restarts on a new port under the same name', async (context) => {
  const topic = `zmq-${hexId()}`;
  const first = await serve(context, topic, 'a');
  const rpc = (await client(context, topic)).prepare({ server: 'a' });
  assert.equal(await rpc.call('whoami'), { server: 'a', pid: first.child.pid });
  first.child.kill('SIGKILL');
  await first.exited;
  const second = await serve(context, topic, 'a');
  await eventually(async () => (await answers(rpc, 3)).every((who) => who?.pid === second.child.pid), 50, 'calls reaching the restarted server');
});

Processes.run();
