import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ack, cancel, consume, copyReady, createMessage, createQueue, deleteQueue, PREFETCH, publish, readyCount, requeue, type Delivery } from '../../../drivers/memory/queue.js';

const Queue = suite('memory queue');

/** Lets every scheduled drain (microtasks) and give-back (setImmediate) run: no wall-clock wait. */
const settle = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));
const text = (delivery: Delivery) => delivery.message.body.toString();
const message = (body: string, ttlMs?: number) => createMessage(Buffer.from(body), ttlMs);

Queue('should deliver asynchronously, never inside publish', async () => {
  const queue = createQueue('q');
  const got: string[] = [];
  consume(queue, (d) => got.push(text(d)));
  publish(queue, message('a'));
  assert.equal(got, []);
  await settle();
  assert.equal(got, ['a']);
});

Queue('should keep messages until a consumer comes, then deliver them in order', async () => {
  const queue = createQueue('q');
  for (const body of ['a', 'b', 'c']) publish(queue, message(body));
  await settle();
  assert.is(readyCount(queue), 3);
  const got: string[] = [];
  consume(queue, (d) => got.push(text(d)));
  await settle();
  assert.equal(got, ['a', 'b', 'c']);
  assert.is(readyCount(queue), 0);
});

Queue('should serve consumers round-robin', async () => {
  const queue = createQueue('q');
  const one: string[] = [];
  const two: string[] = [];
  consume(queue, (d) => one.push(text(d)));
  consume(queue, (d) => two.push(text(d)));
  for (const body of ['a', 'b', 'c', 'd']) publish(queue, message(body));
  await settle();
  assert.equal(one, ['a', 'c']);
  assert.equal(two, ['b', 'd']);
});

Queue('should redeliver a requeued message first, marked redelivered', async () => {
  const queue = createQueue('q');
  const got: { body: string; redelivered: boolean }[] = [];
  let first = true;
  consume(queue, (d) => {
    got.push({ body: text(d), redelivered: d.message.redelivered });
    if (first) {
      first = false;
      requeue(d);
      requeue(d);
    } else ack(d);
  });
  publish(queue, message('a'));
  await settle();
  publish(queue, message('b'));
  await settle();
  assert.equal(got, [
    { body: 'a', redelivered: false },
    { body: 'a', redelivered: true },
    { body: 'b', redelivered: false },
  ]);
});

Queue('should ignore a requeue after an ack', async () => {
  const queue = createQueue('q');
  const got: string[] = [];
  consume(queue, (d) => {
    got.push(text(d));
    ack(d);
    ack(d);
    requeue(d);
  });
  publish(queue, message('a'));
  await settle();
  assert.equal(got, ['a']);
  assert.is(readyCount(queue), 0);
});

Queue('should give the unacked messages of a cancelled consumer back, in order and redelivered', async () => {
  const queue = createQueue('q');
  const held: Delivery[] = [];
  const first = consume(queue, (d) => held.push(d));
  for (const body of ['a', 'b']) publish(queue, message(body));
  await settle();
  cancel(first);
  held.forEach(ack);
  await settle();
  const got: { body: string; redelivered: boolean }[] = [];
  consume(queue, (d) => got.push({ body: text(d), redelivered: d.message.redelivered }));
  await settle();
  assert.equal(got, [
    { body: 'a', redelivered: true },
    { body: 'b', redelivered: true },
  ]);
});

Queue('should drop a message whose ttl passed before delivery and keep one without ttl', async () => {
  const queue = createQueue('q');
  publish(queue, message('call', 1));
  publish(queue, message('cast'));
  await new Promise((resolve) => setTimeout(resolve, 20));
  const got: string[] = [];
  consume(queue, (d) => got.push(text(d)));
  await settle();
  assert.equal(got, ['cast']);
});

Queue('should drop expired messages while nobody consumes', async () => {
  const queue = createQueue('q');
  publish(queue, message('call', 5));
  publish(queue, message('later call', 10));
  const deadline = Date.now() + 5_000;
  while (readyCount(queue) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.is(readyCount(queue), 0);
});

Queue('should treat a zero or non-finite ttl as no expiry', () => {
  assert.is(message('a', 0).expiresAt, Infinity);
  assert.is(message('a', Infinity).expiresAt, Infinity);
  assert.is(message('a', Number.NaN).ttl, 0);
  assert.ok(message('a', 100).expiresAt > Date.now());
});

Queue('should copy the ready messages into another queue as fresh messages', async () => {
  const from = createQueue('from');
  const to = createQueue('to');
  publish(from, message('a'));
  publish(from, message('b'));
  copyReady(from, to);
  assert.is(readyCount(from), 2);
  const got: { body: string; redelivered: boolean }[] = [];
  consume(to, (d) => got.push({ body: text(d), redelivered: d.message.redelivered }));
  await settle();
  assert.equal(got, [
    { body: 'a', redelivered: false },
    { body: 'b', redelivered: false },
  ]);
});

Queue('should drop everything of a deleted queue and accept nothing more', async () => {
  const queue = createQueue('q');
  const got: string[] = [];
  let held: Delivery | undefined;
  consume(queue, (d) => {
    got.push(text(d));
    held = d;
  });
  publish(queue, message('a'));
  await settle();
  deleteQueue(queue);
  requeue(held!);
  publish(queue, message('b'));
  await settle();
  assert.equal(got, ['a']);
  assert.is(readyCount(queue), 0);
});

Queue('should keep its order across many messages taken from the front', async () => {
  const queue = createQueue('q');
  const count = 5_000;
  for (let i = 0; i < count; i++) publish(queue, message(String(i)));
  const got: number[] = [];
  consume(queue, (d) => {
    got.push(Number(text(d)));
    ack(d);
  });
  await settle();
  assert.is(got.length, count);
  assert.ok(got.every((value, i) => value === i));
});

Queue('should hand a consumer at most PREFETCH unacked messages, the rest to consumers with room, and more as it acks', async () => {
  const queue = createQueue('q');
  const slow: Delivery[] = [];
  consume(queue, (d) => slow.push(d));
  for (let i = 0; i < PREFETCH + 10; i++) publish(queue, message(String(i)));
  await settle();
  assert.is(slow.length, PREFETCH);
  assert.is(readyCount(queue), 10, 'the rest waits in the queue');
  const quick: string[] = [];
  const other = consume(queue, (d) => {
    quick.push(text(d));
    ack(d);
  });
  await settle();
  assert.equal(
    quick,
    Array.from({ length: 10 }, (_, i) => String(PREFETCH + i)),
  );
  cancel(other);
  for (const d of slow.splice(0, 2)) ack(d);
  for (const body of ['x', 'y', 'z']) publish(queue, message(body));
  await settle();
  assert.equal(slow.slice(-2).map(text), ['x', 'y'], 'two acks made room for two more');
  assert.is(readyCount(queue), 1);
});

Queue.run();
