import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Reply, RpcRequest } from '../../../lib/driver/rpc.js';
import { setLogSink, type LogRecord } from '../../../lib/core/logger.js';
import { MalformedMessage } from '../../../lib/core/errors.js';
import { answerMalformed, decodeOrReject, incomingCall, notificationSettlement } from '../../../drivers/memory/incoming.js';
import { consume, createMessage, createQueue, publish, readyCount, type Delivery } from '../../../drivers/memory/queue.js';

const Incoming = suite('memory incoming');

const settle = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

/** One delivery of `body` from a fresh queue named `name`. */
async function deliveryOf(body: string, name = 'demo'): Promise<Delivery> {
  const queue = createQueue(name);
  const deliveries: Delivery[] = [];
  consume(queue, (delivery) => deliveries.push(delivery));
  publish(queue, createMessage(Buffer.from(body)));
  await settle();
  return deliveries[0]!;
}

const cast: RpcRequest = { method: 'm', args: { a: 1 }, context: { user_id: 'u1' }, uniqueId: 'u' };

Incoming('should return what decodes and leave the delivery for the consumer to settle', async () => {
  const delivery = await deliveryOf('{"a":1}');
  assert.equal(
    decodeOrReject(
      delivery,
      (bytes) => JSON.parse(bytes.toString()) as Record<string, unknown>,
      (body) => body,
    ),
    { a: 1 },
  );
  assert.not.ok(delivery.settled);
});

Incoming('should settle and log a delivery that fails to decode, naming the queue and the reason', async () => {
  const logs: LogRecord[] = [];
  const restore = setLogSink((record) => logs.push(record));
  try {
    const delivery = await deliveryOf('garbage', 'compute');
    const decoded = decodeOrReject(
      delivery,
      () => {
        throw new MalformedMessage('the message has no method');
      },
      (body) => body,
    );
    assert.is(decoded, undefined);
    assert.ok(delivery.settled);
    assert.is(logs.length, 1);
    assert.is(logs[0]?.level, 'warn');
    assert.is(logs[0]?.logger, 'rx-messaging.memory');
    assert.match(logs[0]?.message ?? '', /queue 'compute'.*Malformed message: the message has no method/);
    assert.equal(logs[0]?.fields, { queue: 'compute', reason: 'Malformed message: the message has no method' });
  } finally {
    restore();
  }
});

Incoming('should answer a malformed request that names its reply queue with a MalformedMessage failure', async () => {
  const sent: [string, Reply][] = [];
  const restore = setLogSink(() => undefined);
  try {
    const delivery = await deliveryOf('{"_msg_id":"m1","_reply_q":"reply_x","args":{}}');
    const body = { _msg_id: 'm1', _reply_q: 'reply_x', args: {} };
    const decoded = decodeOrReject(
      delivery,
      () => body,
      () => {
        throw new MalformedMessage('the message has no method');
      },
      (read, error) => answerMalformed(read, error, async (address, reply) => void sent.push([address, reply])),
    );
    assert.is(decoded, undefined);
    assert.ok(delivery.settled);
    assert.is(sent.length, 1);
    assert.is(sent[0]?.[0], 'reply_x');
    assert.is(sent[0]?.[1].msgId, 'm1');
    assert.is(sent[0]?.[1].failure?.class, 'MalformedMessage');
    assert.match(sent[0]?.[1].failure?.message ?? '', /has no method/);
  } finally {
    restore();
  }
});

Incoming('should not answer a malformed request without a reply queue', async () => {
  const sent: Reply[] = [];
  answerMalformed({ _msg_id: 'm1' }, new MalformedMessage('x'), async (_address, reply) => void sent.push(reply));
  answerMalformed({ _reply_q: 'q' }, new MalformedMessage('x'), async (_address, reply) => void sent.push(reply));
  assert.equal(sent, []);
});

Incoming('should send replies of a call to its reply address with its message id', async () => {
  const sent: [string, Reply][] = [];
  const call = incomingCall({ ...cast, call: { msgId: 'id-1', replyTo: 'reply_x', timeoutMs: 1000 } }, await deliveryOf('{}'), async (address, reply) => {
    sent.push([address, reply]);
  });
  await call.heartbeat();
  await call.reply({ result: 42, failure: null, ending: true });
  assert.equal(sent, [
    ['reply_x', { msgId: 'id-1', result: null, failure: null, ending: false }],
    ['reply_x', { msgId: 'id-1', result: 42, failure: null, ending: true }],
  ]);
});

Incoming('should not reply to a cast', async () => {
  let replies = 0;
  const incoming = incomingCall(cast, await deliveryOf('{}'), async () => {
    replies++;
  });
  await incoming.reply({ result: 1, failure: null, ending: true });
  await incoming.heartbeat();
  assert.is(replies, 0);
  assert.is(incoming.method, 'm');
  assert.equal(incoming.context, { user_id: 'u1' });
  assert.is(incoming.redelivered, false);
});

Incoming('should count redeliveries and move a dead-lettered message to the queue it is given', async () => {
  const queue = createQueue('events.info');
  const dead = createQueue('events.info.dead-letter');
  const deliveries: Delivery[] = [];
  consume(queue, (delivery) => deliveries.push(delivery));
  publish(queue, createMessage(Buffer.from('{}')));
  await settle();
  const first = notificationSettlement(deliveries[0]!, () => dead);
  assert.is(first.deliveryCount, 0);
  await first.requeue();
  await new Promise((resolve) => setImmediate(resolve));
  await settle();
  const asked: string[] = [];
  const second = notificationSettlement(deliveries[1]!, (from) => {
    asked.push(from.name);
    return dead;
  });
  assert.is(second.deliveryCount, 1);
  await second.deadLetter?.();
  assert.equal(asked, ['events.info']);
  assert.is(readyCount(dead), 1);
  assert.is(readyCount(queue), 0);
});

Incoming('should ack and requeue through the delivery', async () => {
  const delivery = await deliveryOf('{}');
  const notification = notificationSettlement(delivery, () => createQueue('unused'));
  await notification.requeue();
  assert.ok(delivery.settled);
  await settle();
  assert.ok(delivery.message.redelivered);
  assert.is(readyCount(delivery.consumer.queue), 0, 'redelivered to the same consumer');
});

Incoming.run();
