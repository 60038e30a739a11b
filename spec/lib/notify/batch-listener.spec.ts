import { firstValueFrom, take, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { queueDepth } from '../../../testing/index.js';
import { blockingExecutor, type Executor, type Invocation } from '../../../lib/executors/executor.js';
import { hexId } from '../../../lib/core/ids.js';
import { setLogSink } from '../../../lib/core/logger.js';
import { batchNotificationListener, type BatchNotificationListener } from '../../../lib/notify/batch-listener.js';
import type { BatchNotificationMessage } from '../../../operators/notify/dispatch-notification-batches.js';
import { NotificationResult, type NotificationOutcome } from '../../../operators/notify/dispatch-notifications.js';
import { notifier } from '../../../lib/notify/notifier.js';
import type { Priority } from '../../../lib/core/priority.js';
import { notificationQueue, target } from '../../../lib/core/target.js';
import { connect, type Transport } from '../../../lib/transport.js';
import { settle } from '../../helpers/notifications.js';

interface Context_ {
  broker: string;
  topic: string;
  transport: Transport;
  listeners: BatchNotificationListener[];
  restoreLogs: () => void;
}

const Batch = suite<Context_>('batchNotificationListener', {} as Context_);

Batch.before.each(async (context) => {
  context.broker = `batch-${hexId()}`;
  context.topic = `notifications-${hexId()}`;
  context.transport = await connect(`memory://${context.broker}`);
  context.listeners = [];
  context.restoreLogs = setLogSink(() => {});
});

Batch.after.each(async (context) => {
  await Promise.all(context.listeners.map((l) => l.stop()));
  await context.transport.close();
  context.restoreLogs();
});

type Endpoints = Parameters<typeof batchNotificationListener>[2];
type Options = Parameters<typeof batchNotificationListener>[3];

function listen(context: Context_, endpoints: Endpoints, options: Options = {}): BatchNotificationListener {
  const listener = batchNotificationListener(context.transport, [target({ topic: context.topic })], endpoints, { executor: blockingExecutor(), ...options });
  context.listeners.push(listener);
  return listener;
}

async function publish(context: Context_, priority: Priority, ...eventTypes: string[]): Promise<void> {
  const n = notifier(context.transport, { publisherId: 'compute.host-1', topics: [context.topic] });
  for (const eventType of eventTypes) await n[priority](eventType, { eventType }, { user_id: 'u1' });
}

function outcomes(listener: BatchNotificationListener, n: number): Promise<NotificationOutcome[]> {
  return firstValueFrom(listener.outcomes$.pipe(take(n), toArray()));
}

function depth(context: Context_, priority: Priority): number | undefined {
  return queueDepth(context.broker, 'openstack', notificationQueue(target({ topic: context.topic }), priority));
}

/** A TestScheduler run by hand: `advanceTo(ms)` runs what is due by then and moves the virtual clock there. */
function virtualTime(): TestScheduler & { advanceTo(ms: number): void } {
  const scheduler = new TestScheduler(() => {}) as TestScheduler & { advanceTo(ms: number): void };
  scheduler.advanceTo = (ms) => {
    // A no-op action carries the clock to `ms` even when nothing else is due.
    scheduler.schedule(() => {}, ms - scheduler.now());
    scheduler.maxFrames = ms;
    scheduler.flush();
  };
  return scheduler;
}

const names = (batch: readonly BatchNotificationMessage[]) => batch.map((m) => m.eventType);

Batch('should hand an endpoint lists of messages with oslo’s fields', async (context) => {
  const batches: BatchNotificationMessage[][] = [];
  const listener = listen(context, [{ info: (messages) => void batches.push([...messages]) }], { batchSize: 2 });
  await listener.start();
  const done = outcomes(listener, 2);
  await publish(context, 'info', 'a', 'b');
  assert.equal(
    (await done).map((o) => [o.settled, o.reason]),
    [
      ['acked', 'handled'],
      ['acked', 'handled'],
    ],
  );
  assert.is(batches.length, 1);
  const [first] = batches[0] as [BatchNotificationMessage];
  assert.equal(Object.keys(first).sort(), ['ctxt', 'eventType', 'metadata', 'payload', 'publisherId']);
  assert.equal([first.ctxt, first.publisherId, first.eventType, first.payload], [{ user_id: 'u1' }, 'compute.host-1', 'a', { eventType: 'a' }]);
  assert.equal(Object.keys(first.metadata).sort(), ['message_id', 'timestamp']);
});

Batch('should flush when batchSize is reached, and the rest at batchTimeout (7 at size 3: 3, 3, 1)', async (context) => {
  const scheduler = virtualTime();
  const batches: string[][] = [];
  const listener = listen(context, [{ info: (messages) => void batches.push(names(messages)) }], { batchSize: 3, batchTimeout: 5_000, scheduler });
  await listener.start();
  const full = outcomes(listener, 6);
  await publish(context, 'info', 'e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6');
  await full;
  assert.equal(batches, [
    ['e0', 'e1', 'e2'],
    ['e3', 'e4', 'e5'],
  ]);
  const last = outcomes(listener, 1);
  scheduler.advanceTo(5_000);
  await last;
  assert.equal(batches[2], ['e6']);
});

Batch('should flush a partial batch once batchTimeout has passed since its first message, not before', async (context) => {
  const scheduler = virtualTime();
  const batches: string[][] = [];
  const listener = listen(context, [{ warn: (messages) => void batches.push(names(messages)) }], { batchSize: 100, batchTimeout: 1_000, scheduler });
  await listener.start();
  scheduler.advanceTo(500);
  await publish(context, 'warn', 'a', 'b');
  await settle();
  assert.is(depth(context, 'warn'), 0, 'both were delivered');
  scheduler.advanceTo(1_499);
  await settle();
  assert.equal(batches, [], 'nothing before the timeout');
  const done = outcomes(listener, 2);
  scheduler.advanceTo(1_500);
  assert.equal(
    (await done).map((o) => o.settled),
    ['acked', 'acked'],
  );
  assert.equal(batches, [['a', 'b']]);
});

Batch('should batch each priority apart', async (context) => {
  const got: string[] = [];
  const listener = listen(context, [{ info: (m) => void got.push(`info:${names(m)}`), error: (m) => void got.push(`error:${names(m)}`) }], { batchSize: 2 });
  await listener.start();
  const done = outcomes(listener, 4);
  await publish(context, 'info', 'i1');
  await publish(context, 'error', 'e1');
  await publish(context, 'info', 'i2');
  await publish(context, 'error', 'e2');
  await done;
  assert.equal(got.sort(), ['error:e1,e2', 'info:i1,i2']);
  assert.equal(listener.priorities, ['info', 'error']);
});

Batch('should flush the partial batches when stopped mid-batch, and settle them before stop resolves', async (context) => {
  const batches: string[][] = [];
  const listener = listen(context, [{ info: (messages) => void batches.push(names(messages)) }], { batchSize: 10, batchTimeout: 60_000 });
  await listener.start();
  const done = outcomes(listener, 3);
  await publish(context, 'info', 'a', 'b', 'c');
  await settle();
  assert.equal(batches, []);
  await listener.stop();
  assert.equal(batches, [['a', 'b', 'c']]);
  assert.equal(
    (await done).map((o) => o.settled),
    ['acked', 'acked', 'acked'],
  );
  await settle();
  assert.is(depth(context, 'info'), 0, 'nothing went back to the queue');
});

Batch('should requeue the whole batch on REQUEUE with allowRequeue, and handle it when it comes back', async (context) => {
  const batches: string[][] = [];
  const listener = listen(context, [{ info: (messages) => (batches.push(names(messages)), batches.length === 1 ? NotificationResult.REQUEUE : undefined) }], {
    batchSize: 2,
    allowRequeue: true,
  });
  await listener.start();
  const done = outcomes(listener, 4);
  await publish(context, 'info', 'a', 'b');
  assert.equal(
    (await done).map((o) => `${o.eventType}:${o.settled}`),
    ['a:requeued', 'b:requeued', 'a:acked', 'b:acked'],
  );
  assert.equal(batches, [
    ['a', 'b'],
    ['a', 'b'],
  ]);
});

Batch('should ack the whole batch despite REQUEUE or an error without allowRequeue', async (context) => {
  let calls = 0;
  const failing = () => {
    calls++;
    throw new Error('warehouse down');
  };
  const listener = listen(context, [{ info: () => (calls++, NotificationResult.REQUEUE), error: failing }], { batchSize: 2 });
  await listener.start();
  const done = outcomes(listener, 4);
  await publish(context, 'info', 'a', 'b');
  await publish(context, 'error', 'c', 'd');
  const results = await done;
  assert.equal(results.map((o) => `${o.eventType}:${o.settled}:${o.reason}`).sort(), ['a:acked:requeue', 'b:acked:requeue', 'c:acked:error', 'd:acked:error']);
  assert.is(calls, 2);
});

Batch('should requeue the whole batch when the handler throws with allowRequeue', async (context) => {
  let calls = 0;
  const flaky = () => {
    if (++calls === 1) throw new Error('warehouse down');
  };
  const listener = listen(context, [{ info: flaky }], { batchSize: 2, allowRequeue: true });
  await listener.start();
  const done = outcomes(listener, 4);
  await publish(context, 'info', 'a', 'b');
  assert.equal(
    (await done).map((o) => `${o.eventType}:${o.settled}:${o.reason}`),
    ['a:requeued:error', 'b:requeued:error', 'a:acked:handled', 'b:acked:handled'],
  );
});

Batch('should give each endpoint the messages its filterRule accepts, and skip it when none', async (context) => {
  const got: string[] = [];
  const listener = listen(
    context,
    [
      { filterRule: { eventType: '^compute\\.' }, info: (m) => void got.push(`compute:${names(m)}`) },
      { filterRule: { eventType: '^nothing' }, info: (m) => void got.push(`never:${names(m)}`) },
      { info: (m) => void got.push(`all:${names(m)}`) },
    ],
    { batchSize: 3 },
  );
  await listener.start();
  const done = outcomes(listener, 3);
  await publish(context, 'info', 'compute.a', 'volume.b', 'compute.c');
  await done;
  assert.equal(got, ['compute:compute.a,compute.c', 'all:compute.a,volume.b,compute.c']);
});

Batch('should ack at once what the listener filter rejects, outside any batch', async (context) => {
  const got: string[] = [];
  const listener = listen(context, [{ info: (m) => void got.push(names(m).join()) }], { batchSize: 2, filter: { eventType: '^keep' } });
  await listener.start();
  const done = outcomes(listener, 4);
  await publish(context, 'info', 'keep.1', 'drop.1', 'keep.2', 'drop.2');
  const results = await done;
  assert.equal(got, ['keep.1,keep.2']);
  assert.equal(
    results.filter((o) => o.reason === 'filtered').map((o) => `${o.eventType}:${o.settled}`),
    ['drop.1:acked', 'drop.2:acked'],
  );
});

Batch('should run the batch handler through the executor with the list as its argument', async (context) => {
  const invocations: Invocation[] = [];
  const inner = blockingExecutor();
  const executor: Executor = { concurrency: 1, close: () => inner.close(), run: (invocation, local) => (invocations.push(invocation), inner.run(invocation, local)) };
  const listener = listen(context, [{ sample: () => {} }], { batchSize: 2, executor });
  await listener.start();
  const done = outcomes(listener, 2);
  await publish(context, 'sample', 'cpu', 'mem');
  await done;
  assert.is(invocations.length, 1);
  assert.equal([invocations[0]?.endpoint, invocations[0]?.method, names(invocations[0]?.params[0] as BatchNotificationMessage[])], [0, 'sample', ['cpu', 'mem']]);
});

Batch('should refuse a batch size that is not a positive integer', (context) => {
  assert.throws(
    () => batchNotificationListener(context.transport, [target({ topic: 't' })], [{ info: () => {} }], { batchSize: 0 }),
    /batchNotificationListener\(\): option batchSize must be a positive integer/,
  );
});

Batch.run();
