import { setTimeout as sleep } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterDown, clusterRunning, clusterUp, clusterUrl, ctl, queueNode } from '../../bench/cluster.js';
import { describeFaultSoak, faultSoak, faultSoakPassed } from '../../bench/soak-faults.js';
import { MessagingError } from '../../lib/core/errors.js';
import { connect, rpcClient, rpcServer, target, type Transport } from '../../lib/index.js';
import { driverOf } from '../../lib/transport.js';
import { skippedSuite } from '../helpers/services.js';
import { uniqueTopic, within } from '../drivers/amqp/support.js';

// Quick reconnects; private queues left on a stopped node expire a minute later.
const CLUSTER_QUERY = 'rabbit_quorum_queue=true&rabbit_retry_interval=0.1&rabbit_retry_backoff=0.2&rabbit_interval_max=1&rabbit_transient_queues_ttl=60';

// A cluster this run starts is stopped (and its data removed) when the suite ends; one already running is left as it was.
const wasRunning = await clusterRunning();
const reason = await clusterUp();
const NAME = 'cluster of three RabbitMQ nodes, quorum queues';
const Cluster = reason === undefined ? suite(NAME) : skippedSuite(NAME, reason);

Cluster.after(async () => {
  if (!wasRunning) await clusterDown();
});

/** Calls `echo` until one answers (the client works again), for `ms` at most: then fails with the last error, and stops calling. */
async function answers(transport: Transport, topic: string, what: string, ms = 60_000): Promise<void> {
  const client = rpcClient(transport, target({ topic }), { timeout: 3_000 });
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      assert.is(await client.call('echo', { n: 'probe' }), 'probe');
      return;
    } catch (error) {
      if (!(error instanceof MessagingError)) throw error;
      if (Date.now() >= deadline) throw new Error(`${what} did not happen within ${ms / 1000} s: ${error.name}: ${error.message}`);
      await sleep(200);
    }
  }
}

Cluster('should move a client whose reply queue node stops to a fresh reply queue, failing or answering every call in flight', async () => {
  const topic = uniqueTopic('cluster');
  const servers = await connect(clusterUrl(CLUSTER_QUERY));
  const callers = await connect(clusterUrl(CLUSTER_QUERY));
  const server = rpcServer(servers, target({ topic, server: 'a' }), [
    {
      echo: ({ n }: { n: unknown }) => n,
      slow: async ({ n }: { n: unknown }) => {
        await sleep(500);
        return n;
      },
    },
  ]);
  try {
    await server.start();
    await answers(callers, topic, 'a first answer');
    const { address: before } = await driverOf(callers).replyChannel();
    const node = await queueNode(before);
    assert.ok(node, `the reply queue ${before} is on one of the nodes`);

    const client = rpcClient(callers, target({ topic }), { timeout: 8_000 });
    const inFlight = Array.from({ length: 20 }, (_, n) =>
      client.call('slow', { n }).then(
        (value) => ({ answered: value === n }),
        (error: unknown) => ({ failedWith: error instanceof MessagingError ? error.name : `untyped ${String(error)}` }),
      ),
    );
    await sleep(100);
    await ctl(node!, 'stop_app');
    try {
      const outcomes = await within(Promise.all(inFlight), 'every call in flight settled', 30_000);
      for (const outcome of outcomes) assert.ok('answered' in outcome ? outcome.answered : !outcome.failedWith.startsWith('untyped'), JSON.stringify(outcome));
      await answers(callers, topic, 'an answer while the node is down', 30_000);
    } finally {
      await ctl(node!, 'start_app');
    }
    await answers(callers, topic, 'an answer after the node is back', 30_000);
    const { address: after } = await driverOf(callers).replyChannel();
    // The old queue lived on the stopped node: either it came back (same name) or the channel moved on.
    if (after !== before) assert.ok((await queueNode(after)) !== undefined, `the fresh reply queue ${after} exists`);
  } finally {
    await server.stop();
    await callers.close();
    await servers.close();
  }
});

Cluster('should lose no confirmed message, hang no call and leave every client and server working while each node stops in turn under load', async () => {
  const result = await faultSoak({ cluster: true, nodeDownMs: 3_000, concurrency: 2, callTimeoutMs: 10_000, cuts: 0, cutEveryMs: 0, url: clusterUrl() });
  const report = describeFaultSoak(result);
  console.log(report);
  assert.ok(faultSoakPassed(result), report);
  assert.ok(result.calls.confirmed > 0 && result.casts.confirmed > 0 && result.notifications.confirmed > 0, report);
});

Cluster.run();
