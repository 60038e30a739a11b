import { setTimeout as sleep } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import type { RpcRequest } from '../../../lib/driver/rpc.js';
import { TransportClosed } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { connect, rpcClient, rpcServer, target } from '../../../lib/index.js';
import { driverOf } from '../../../lib/transport.js';
import { serviceSuite } from '../../helpers/services.js';
import { brokerUrl, openDriver, rawBroker, record, rejectionOf, uniqueTopic, within, type RawBroker } from './support.js';

interface Context {
  broker: RawBroker;
  queues: string[];
}

const ReplyChannel = await serviceSuite<Context>('amqp reply channel', ['rabbitmq'], {} as Context);

ReplyChannel.before.each(async (context) => {
  context.broker = await rawBroker();
  context.queues = [];
});

ReplyChannel.after.each(async ({ broker, queues }) => {
  if (queues.length) await broker.deleteQueues(...queues);
  await broker.close();
});

type BrokerChannel = Awaited<ReturnType<RawBroker['channel']>>;

/**
 * A held call's reply queue is taken away (`takeAway`, its consumer cancelled): the call fails
 * at once with `TransportClosed` naming the queue, the channel names a fresh queue, and calls from
 * then on are answered. Returns the old queue's name.
 */
async function movesToFreshQueue({ broker, queues }: Context, takeAway: (channel: BrokerChannel, queue: string) => Promise<unknown>): Promise<string> {
  const topic = uniqueTopic();
  queues.push(topic, `${topic}.a`);
  const transport = await connect(brokerUrl());
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const started = new Promise<void>((resolve) => (holding = resolve));
  const server = rpcServer(transport, target({ topic, server: 'a' }), [
    {
      echo: ({ n }: { n: number }) => n,
      hold: async () => {
        holding();
        await held;
        return 'late';
      },
    },
  ]);
  try {
    await server.start();
    const client = rpcClient(transport, target({ topic }), { timeout: 20_000 });
    assert.is(await client.call('echo', { n: 1 }), 1);
    const channel = await driverOf(transport).replyChannel();
    const before = channel.address;
    queues.push(before);
    const waiting = client.call('hold');
    const refused = rejectionOf(waiting);
    await within(started, 'the held call at the server');

    const ch = await broker.channel();
    await takeAway(ch, before);
    await ch.close();

    const error = await within(refused, 'the held call failed');
    assert.instance(error, TransportClosed);
    assert.match(String((error.cause as Error | undefined)?.message), before);
    assert.is.not(channel.address, before, 'the channel moved to a fresh queue');
    queues.push(channel.address);
    // Calls sent from now on name the fresh queue, so their replies arrive.
    assert.is(await within(client.call('echo', { n: 2 }), 'a call after the move'), 2);
    return before;
  } finally {
    release();
    await server.stop();
    await transport.close();
  }
}

ReplyChannel(
  'should move to a fresh reply queue when its queue cannot be consumed again, failing the calls waiting on the old one and naming the fresh one in later calls',
  async (context) => {
    // Taken by a declaration the driver's cannot match: declaring it again is refused for good.
    await movesToFreshQueue(context, async (ch, queue) => {
      await ch.deleteQueue(queue);
      await ch.assertQueue(queue, { durable: true, autoDelete: false });
    });
  },
);

ReplyChannel('should move to a fresh reply queue when its queue is deleted, never making the old one again under its name', async (context) => {
  const before = await movesToFreshQueue(context, (ch, queue) => ch.deleteQueue(queue));
  const ch = await context.broker.channel();
  ch.on('error', () => undefined);
  const checked = await ch.checkQueue(before).then(
    () => 'exists',
    (error: { code?: number }) => error.code,
  );
  assert.is(checked, 404, `the deleted reply queue ${before} was not declared again`);
});

ReplyChannel('should send again a reply the broker nacks until its queue takes it', async ({ broker, queues }) => {
  const topic = uniqueTopic();
  const replyTo = uniqueTopic('reply');
  queues.push(topic, `${topic}.a`, replyTo);
  // A full queue that refuses what overflows: the broker nacks every publish to it.
  assert.is(await broker.declareQueue(replyTo, { durable: false, autoDelete: false, arguments: { 'x-max-length': 0, 'x-overflow': 'reject-publish' } }), 200);
  // Caller and server in one: without direct reply-to, so the reply goes to the queue.
  const driver = await openDriver();
  try {
    const server = record((onReady) => driver.listen(target({ topic, server: 'a' }), { onReady }));
    await within(server.ready, 'server ready');
    const call: RpcRequest = { method: 'm', args: {}, context: {}, uniqueId: hexId(), call: { msgId: 'nacked', replyTo, timeoutMs: 60_000 } };
    await driver.send(target({ topic }), call);
    const [incoming] = await within(server.until(1), 'the call at the server');
    // Handed over at once (the handler is free), then retried while the broker nacks.
    await within(incoming!.reply({ result: 'kept', failure: null, ending: true }), 'the reply handed over');
    await sleep(600); // a few nacked tries
    assert.is(await broker.messageCount(replyTo), 0);
    await broker.deleteQueues(replyTo);
    assert.is(await broker.declareQueue(replyTo, { durable: false, autoDelete: false }), 200);
    await within(
      (async () => {
        while ((await broker.messageCount(replyTo)) < 1) await sleep(50);
      })(),
      'the reply sent once the queue takes it',
    );
    server.stop();
  } finally {
    await driver.close();
  }
});

ReplyChannel.run();
