/**
 * Servers that stop or die while calls wait on them: a clean stop delivers every reply it sent,
 * and the calls a dead server can no longer answer fail at once, typed, instead of at their timeout.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId } from '../../../lib/core/ids.js';
import { connect, MessageDeliveryFailure, rpcClient, rpcServer, target, type RpcServer, type Transport } from '../../../lib/index.js';
import { redisUnavailable, skippedSuite } from '../../helpers/services.js';
import { within } from '../../helpers/within.js';
import { deleteRedisKeys, startServerChild, type ServerChild } from './support.js';

const Stop = suite<{ transports: Transport[] }>('zmq: a server that stops', { transports: [] });

Stop.before.each((context) => {
  context.transports = [];
});

Stop.after.each(async (context) => {
  await Promise.all(context.transports.map((transport) => transport.close()));
});

const open = async (context: { transports: Transport[] }, url: string) => {
  const transport = await connect(url);
  context.transports.push(transport);
  return transport;
};

Stop('should deliver the reply of a server that stops as it replies, every time', async (context) => {
  const url = `zmq://lifecycle-${hexId()}`;
  const topic = `t-${hexId()}`;
  const serverTransport = await open(context, url);
  const client = rpcClient(await open(context, url), target({ topic }), { timeout: 10_000 });
  const got: unknown[] = [];
  for (let round = 0; round < 40; round++) {
    // The stop starts while the handler runs: the ROUTER closes right after the reply is handed over.
    const server: RpcServer = rpcServer(serverTransport, target({ topic, server: 'a' }), [
      {
        last: () => {
          void server.stop();
          return round;
        },
      },
    ]);
    await server.start();
    got.push(await client.call('last').catch((error: unknown) => String(error)));
    await server.stop();
  }
  assert.equal(
    got,
    Array.from({ length: 40 }, (_, round) => round),
  );
});

Stop.run();

interface Deaths {
  url: string;
  prefix: string;
  children: ServerChild[];
  transports: Transport[];
}

const reason = await redisUnavailable();
const Death =
  reason === undefined ? suite<Deaths>('zmq: a server that dies with calls pending (Redis)') : skippedSuite<Deaths>('zmq: a server that dies with calls pending (Redis)', reason);

Death.before.each((context) => {
  context.prefix = `zmqlife:${hexId()}:`;
  // Heartbeats every 0.2 s, a peer silent for 1 s is dead: what finds a frozen server.
  context.url = `zmq+redis://127.0.0.1:6379/?zmq_matchmaker_prefix=${encodeURIComponent(context.prefix)}&zmq_heartbeat_interval=0.2&zmq_heartbeat_timeout=1`;
  context.children = [];
  context.transports = [];
});

Death.after.each(async (context) => {
  for (const { child } of context.children) child.kill('SIGKILL');
  await Promise.all(context.transports.map((transport) => transport.close()));
  await deleteRedisKeys(context.prefix);
});

/** A call the child server took and will never answer, and the child; the call's timeout is far beyond any guard here. */
const pendingCall = async (context: Deaths) => {
  const topic = `zmq-${hexId()}`;
  const server = await startServerChild(context.url, topic, 'a');
  context.children.push(server);
  const transport = await connect(context.url);
  context.transports.push(transport);
  const took = new Promise<void>((resolve) => server.child.once('message', () => resolve()));
  const called = rpcClient(transport, target({ topic }), { timeout: 600_000 })
    .call('hang')
    .catch((error: unknown) => error);
  await within(took, 'the server taking the call');
  return { server, called };
};

Death('should fail the calls pending on a server killed with SIGKILL at once, with MessageDeliveryFailure naming it', async (context) => {
  const { server, called } = await pendingCall(context);
  server.child.kill('SIGKILL');
  const failed = await within(called, 'the failure of the pending call', 20_000);
  assert.instance(failed, MessageDeliveryFailure, String(failed));
  assert.match((failed as Error).message, /the connection to server 127\.0\.0\.1:\d+ was lost .* before the reply to 'hang'/);
});

Death('should fail the calls pending on a frozen server once its heartbeats time out', async (context) => {
  const { server, called } = await pendingCall(context);
  server.child.kill('SIGSTOP');
  try {
    const failed = await within(called, 'the failure of the pending call', 20_000);
    assert.instance(failed, MessageDeliveryFailure, String(failed));
  } finally {
    server.child.kill('SIGCONT');
  }
});

Death.run();
