import { firstValueFrom, map, merge, of, take, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { publishRaw, queueDepth } from '../../../testing/index.js';
import { defaultCodec } from '../../../lib/wire/codec.js';
import type { Context } from '../../../lib/core/context.js';
import { InvalidTarget } from '../../../lib/core/errors.js';
import { blockingExecutor, microtaskExecutor, type Executor, type Invocation } from '../../../lib/executors/executor.js';
import { workerPoolExecutor } from '../../../lib/executors/worker-pool.js';
import { endpoints } from '../../fixtures/notification-endpoints.js';
import { hexId } from '../../../lib/core/ids.js';
import { setLogSink, type LogRecord } from '../../../lib/core/logger.js';
import { NotificationResult, type NotificationOutcome } from '../../../operators/notify/dispatch-notifications.js';
import type { NotificationMetadata } from '../../../operators/notify/filter-notifications.js';
import { notificationListener, type NotificationListener } from '../../../lib/notify/listener.js';
import { notifier } from '../../../lib/notify/notifier.js';
import { PRIORITIES, type Priority } from '../../../lib/core/priority.js';
import type { Serializer } from '../../../lib/core/serializer.js';
import { notificationQueue, target } from '../../../lib/core/target.js';
import { connect, type Transport } from '../../../lib/transport.js';
import { encodeBody } from '../../../lib/wire/envelope.js';
import { notificationToWire } from '../../../lib/wire/notifications.js';

interface Context_ {
  broker: string;
  topic: string;
  transport: Transport;
  listeners: NotificationListener[];
  logs: LogRecord[];
  restoreLogs: () => void;
}

const Listener = suite<Context_>('notificationListener', {} as Context_);

Listener.before.each(async (context) => {
  context.broker = `listener-${hexId()}`;
  context.topic = `notifications-${hexId()}`;
  context.transport = await connect(`memory://${context.broker}`);
  context.listeners = [];
  context.logs = [];
  context.restoreLogs = setLogSink((record) => context.logs.push(record));
});

Listener.after.each(async (context) => {
  await Promise.all(context.listeners.map((l) => l.stop()));
  await context.transport.close();
  context.restoreLogs();
});

type Endpoints = Parameters<typeof notificationListener>[2];
type Options = Parameters<typeof notificationListener>[3];

function listen(context: Context_, endpoints: Endpoints, options: Options = {}): NotificationListener {
  const listener = notificationListener(context.transport, [target({ topic: context.topic })], endpoints, options);
  context.listeners.push(listener);
  return listener;
}

function publisher(context: Context_, publisherId = 'compute.host-1') {
  return notifier(context.transport, { publisherId, topics: [context.topic] });
}

/** The next `n` outcomes of a listener (subscribe before publishing). */
function outcomes(listener: NotificationListener, n: number): Promise<NotificationOutcome[]> {
  return firstValueFrom(listener.outcomes$.pipe(take(n), toArray()));
}

function depth(context: Context_, priority: Priority): number | undefined {
  return queueDepth(context.broker, 'openstack', notificationQueue(target({ topic: context.topic }), priority));
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

Listener("should call the method named after the priority with oslo's arguments", async (context) => {
  const calls: unknown[][] = [];
  const listener = listen(context, [{ info: (...args: unknown[]) => void calls.push(args) }]);
  await listener.start();
  const done = outcomes(listener, 1);
  await publisher(context).info('compute.instance.create.end', { instance_id: 'abc' }, { user_id: 'u1', request_id: 'req-1' });
  assert.equal(
    (await done).map((o) => [o.settled, o.reason]),
    [['acked', 'handled']],
  );
  assert.is(calls.length, 1);
  const [ctxt, publisherId, eventType, payload, metadata] = calls[0] as [Context, string, string, unknown, NotificationMetadata];
  assert.equal(ctxt, { user_id: 'u1', request_id: 'req-1' });
  assert.is(publisherId, 'compute.host-1');
  assert.is(eventType, 'compute.instance.create.end');
  assert.equal(payload, { instance_id: 'abc' });
  assert.equal(Object.keys(metadata).sort(), ['message_id', 'timestamp']);
  assert.match(metadata.message_id, /^[0-9a-f-]{36}$/);
  assert.match(metadata.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
});

Listener('should deliver each of the seven priorities to its own method', async (context) => {
  const got: string[] = [];
  const endpoint = Object.fromEntries(PRIORITIES.map((p) => [p, (_c: Context, _p: string, eventType: string) => void got.push(`${p}:${eventType}`)]));
  const listener = listen(context, [endpoint], { executor: blockingExecutor() });
  assert.equal(listener.priorities, PRIORITIES);
  await listener.start();
  const done = outcomes(listener, 7);
  const n = publisher(context);
  for (const p of PRIORITIES) await n[p](`event.${p}`, {});
  await done;
  assert.equal(got.sort(), PRIORITIES.map((p) => `${p}:event.${p}`).sort());
});

Listener('should consume only the priorities some endpoint handles', async (context) => {
  const got: string[] = [];
  const listener = listen(context, [{ info: (_c: Context, _p: string, e: string) => void got.push(e) }, { warn: (_c: Context, _p: string, e: string) => void got.push(e) }]);
  assert.equal(listener.priorities, ['info', 'warn']);
  await listener.start();
  const done = outcomes(listener, 2);
  const n = publisher(context);
  await n.error('not-mine', {});
  await n.info('mine-1', {});
  await n.warn('mine-2', {});
  await done;
  assert.equal(got.sort(), ['mine-1', 'mine-2']);
  assert.is(depth(context, 'error'), 1, 'the error message waits in its queue for somebody else');
});

Listener('should call every endpoint of the priority in order', async (context) => {
  const got: string[] = [];
  const listener = listen(context, [{ info: () => void got.push('first') }, { warn: () => void got.push('not this') }, { info: () => void got.push('second') }]);
  await listener.start();
  const done = outcomes(listener, 1);
  await publisher(context).info('e', {});
  await done;
  assert.equal(got, ['first', 'second']);
});

Listener('should skip an endpoint whose filterRule rejects the message, and ack it', async (context) => {
  const got: string[] = [];
  const listener = listen(context, [
    { filterRule: { eventType: '^compute\\.', payload: { state: '^active$' } }, info: (_c: Context, _p: string, e: string) => void got.push(`compute:${e}`) },
    { filterRule: { publisherId: '^network' }, info: (_c: Context, _p: string, e: string) => void got.push(`network:${e}`) },
  ]);
  await listener.start();
  const done = outcomes(listener, 3);
  await publisher(context).info('compute.instance.update', { state: 'active' });
  await publisher(context).info('compute.instance.update', { state: 'error' });
  await publisher(context, 'network.host-2').info('network.create', {});
  assert.equal(
    (await done).map((o) => o.settled),
    ['acked', 'acked', 'acked'],
  );
  assert.equal(got, ['compute:compute.instance.update', 'network:network.create']);
  assert.is(depth(context, 'info'), 0);
});

Listener('should ack without calling any endpoint what the listener filter rejects', async (context) => {
  const got: string[] = [];
  const listener = listen(context, [{ info: (_c: Context, _p: string, e: string) => void got.push(e) }], { filter: { context: { project_id: '^p1$' } } });
  await listener.start();
  const done = outcomes(listener, 2);
  await publisher(context).info('theirs', {}, { project_id: 'p2' });
  await publisher(context).info('ours', {}, { project_id: 'p1' });
  const results = await done;
  assert.equal(got, ['ours']);
  assert.equal(results.map((o) => [o.settled, o.reason]).sort(), [
    ['acked', 'filtered'],
    ['acked', 'handled'],
  ]);
});

Listener('should requeue on a REQUEUE result when allowRequeue is set, and handle the redelivery', async (context) => {
  let calls = 0;
  const listener = listen(context, [{ info: () => (++calls === 1 ? NotificationResult.REQUEUE : NotificationResult.HANDLED) }], { allowRequeue: true });
  await listener.start();
  const done = outcomes(listener, 2);
  await publisher(context).info('e', {});
  assert.equal(
    (await done).map((o) => [o.settled, o.reason]),
    [
      ['requeued', 'requeue'],
      ['acked', 'handled'],
    ],
  );
  assert.is(calls, 2);
});

Listener('should ack despite a REQUEUE result without allowRequeue, as oslo does', async (context) => {
  let calls = 0;
  const listener = listen(context, [{ info: async () => (calls++, 'requeue' as const) }]);
  await listener.start();
  const done = outcomes(listener, 1);
  await publisher(context).info('e', {});
  assert.equal(
    (await done).map((o) => [o.settled, o.reason]),
    [['acked', 'requeue']],
  );
  // A second message shows the first did not come back in between.
  const next = outcomes(listener, 1);
  await publisher(context).info('e2', {});
  await next;
  assert.is(calls, 2);
  assert.is(depth(context, 'info'), 0);
});

Listener('should stop at the first endpoint asking for a requeue', async (context) => {
  const got: string[] = [];
  const listener = listen(context, [{ info: () => (got.push('a'), of(NotificationResult.REQUEUE)) }, { info: () => void got.push('b') }]);
  await listener.start();
  const done = outcomes(listener, 1);
  await publisher(context).info('e', {});
  await done;
  assert.equal(got, ['a']);
});

Listener('should treat a thrown error as a requeue: requeued with allowRequeue, acked without, logged either way', async (context) => {
  let calls = 0;
  const flaky = () => {
    if (++calls === 1) throw new Error('database down');
  };
  const requeueing = listen(context, [{ info: flaky }], { allowRequeue: true });
  await requeueing.start();
  const done = outcomes(requeueing, 2);
  await publisher(context).info('e', {});
  const [first, second] = await done;
  assert.equal([first?.settled, first?.reason, String(first?.error)], ['requeued', 'error', 'Error: database down']);
  assert.equal([second?.settled, second?.reason], ['acked', 'handled']);
  assert.ok(context.logs.some((r) => r.level === 'error' && /handler failed/.test(r.message) && /database down/.test(String(r.fields?.['error']))));
  await requeueing.stop();

  const broken = () => {
    throw new Error('always');
  };
  const acking = listen(context, [{ warn: broken }]);
  await acking.start();
  const once = outcomes(acking, 1);
  await publisher(context).warn('e', {});
  assert.equal(
    (await once).map((o) => [o.settled, o.reason]),
    [['acked', 'error']],
  );
  assert.is(depth(context, 'warn'), 0);
});

Listener("should report an ack the broker refused as a failed outcome carrying the broker's error, and go on", async (context) => {
  const refused = new Error('channel closed');
  // The same transport, whose notifications cannot be acked (a channel that went away).
  const unackable: Transport = {
    ...context.transport,
    notifications: (targets, options) => context.transport.notifications(targets, options).pipe(map((incoming) => ({ ...incoming, ack: () => Promise.reject(refused) }))),
  };
  const listener = notificationListener(unackable, [target({ topic: context.topic })], [{ info: () => undefined, warn: () => Promise.reject(new Error('handler')) }]);
  context.listeners.push(listener);
  await listener.start();
  const done = outcomes(listener, 2);
  await publisher(context).info('e', {});
  await publisher(context).warn('e', {});
  const [handled, failing] = await done;
  assert.equal([handled?.settled, handled?.reason, handled?.error], ['failed', 'handled', refused]);
  assert.equal([failing?.settled, failing?.reason, failing?.error], ['failed', 'error', refused], "the ack's error, not the handler's");
  assert.ok(context.logs.some((r) => r.level === 'error' && /could not ack a notification/.test(r.message)));
});

Listener('should give each pool its own copy, and share a copy between listeners of one pool', async (context) => {
  const got: Record<string, number> = {};
  const count = (name: string) => ({ info: () => void (got[name] = (got[name] ?? 0) + 1) });
  const audit = listen(context, [count('audit')], { pool: `audit-${hexId()}` });
  const billingPool = `billing-${hexId()}`;
  const billing1 = listen(context, [count('billing-1')], { pool: billingPool });
  const billing2 = listen(context, [count('billing-2')], { pool: billingPool });
  for (const l of [audit, billing1, billing2]) await l.start();
  const auditDone = outcomes(audit, 4);
  const billingDone = firstValueFrom(merge(billing1.outcomes$, billing2.outcomes$).pipe(take(4), toArray()));
  const n = publisher(context);
  for (let i = 0; i < 4; i++) await n.info(`e${i}`, {});
  await auditDone;
  await billingDone;
  assert.is(got['audit'], 4);
  assert.is((got['billing-1'] ?? 0) + (got['billing-2'] ?? 0), 4);
  assert.ok((got['billing-1'] ?? 0) > 0 && (got['billing-2'] ?? 0) > 0, 'the pool shares the work');
});

Listener('should ack a duplicate _unique_id without handling it again', async (context) => {
  const got: string[] = [];
  const listener = listen(context, [{ info: (_c: Context, _p: string, e: string) => void got.push(e) }], { executor: blockingExecutor() });
  await listener.start();
  const done = outcomes(listener, 3);
  const body = (eventType: string, uniqueId: string) =>
    encodeBody(
      defaultCodec,
      notificationToWire({ messageId: hexId(), publisherId: 'p', eventType, priority: 'info', payload: {}, timestamp: '2026-11-22 05:25:21.387733', context: {} }, uniqueId),
    );
  const queue = notificationQueue(target({ topic: context.topic }), 'info');
  publishRaw(context.broker, 'openstack', queue, body('original', 'u-1'));
  publishRaw(context.broker, 'openstack', queue, body('repeat', 'u-1'));
  publishRaw(context.broker, 'openstack', queue, body('other', 'u-2'));
  assert.equal(
    (await done).map((o) => [o.eventType, o.settled, o.reason]),
    [
      ['original', 'acked', 'handled'],
      ['repeat', 'acked', 'duplicate'],
      ['other', 'acked', 'handled'],
    ],
  );
  assert.equal(got, ['original', 'other']);
});

Listener('should deserialize the context and payload with the serializer', async (context) => {
  const serializer: Serializer = {
    serializeEntity: (_c, e) => e,
    deserializeEntity: (ctxt, e) => ({ payload: e, for: ctxt['user_id'] }),
    serializeContext: (c) => ({ ...c }),
    deserializeContext: (c) => ({ ...c, deserialized: true }),
  };
  let seen: unknown[] = [];
  const listener = listen(context, [{ info: (ctxt: Context, _p: string, _e: string, payload: unknown) => void (seen = [ctxt, payload]) }], { serializer });
  await listener.start();
  const done = outcomes(listener, 1);
  await publisher(context).info('e', 7, { user_id: 'u1' });
  await done;
  assert.equal(seen, [
    { user_id: 'u1', deserialized: true },
    { payload: 7, for: 'u1' },
  ]);
});

Listener('should run handlers through the executor, naming the endpoint, method and arguments', async (context) => {
  const invocations: Invocation[] = [];
  const inner = microtaskExecutor({ concurrency: 2 });
  const executor: Executor = {
    concurrency: inner.concurrency,
    close: () => inner.close(),
    run: (invocation, local) => (invocations.push(invocation), inner.run(invocation, local)),
  };
  const listener = listen(context, [{ warn: () => {} }, { info: () => {}, warn: () => {} }], { executor });
  await listener.start();
  const done = outcomes(listener, 1);
  await publisher(context).warn('e', { x: 1 }, { user_id: 'u1' });
  await done;
  assert.equal(
    invocations.map((i) => [i.endpoint, i.method, i.params.slice(0, 4), i.context]),
    [
      [0, 'warn', [{ user_id: 'u1' }, 'compute.host-1', 'e', { x: 1 }], { user_id: 'u1' }],
      [1, 'warn', [{ user_id: 'u1' }, 'compute.host-1', 'e', { x: 1 }], { user_id: 'u1' }],
    ],
  );
});

Listener('should run handlers in worker threads with a worker pool executor, their results counting', async (context) => {
  const executor = workerPoolExecutor({ module: new URL('../../fixtures/notification-endpoints.js', import.meta.url), size: 1 });
  try {
    const listener = listen(context, endpoints, { executor, allowRequeue: true });
    await listener.start();
    const done = outcomes(listener, 3);
    await publisher(context).info('plain.event', {});
    await publisher(context).info('requeue.event', {});
    const results = (await done).map((o) => `${o.eventType}:${o.settled}:${o.reason}`);
    assert.equal(results.sort(), ['plain.event:acked:handled', 'requeue.event:acked:handled', 'requeue.event:requeued:requeue']);
    await listener.stop();
  } finally {
    await executor.close();
  }
});

Listener('should handle up to the executor concurrency at once', async (context) => {
  let inFlight = 0;
  let most = 0;
  const gate = deferred();
  const full = deferred();
  const handler = async () => {
    most = Math.max(most, ++inFlight);
    if (inFlight === 3) full.resolve();
    await gate.promise;
    inFlight--;
  };
  const listener = listen(context, [{ info: handler }], { executor: microtaskExecutor({ concurrency: 3 }) });
  await listener.start();
  const done = outcomes(listener, 5);
  const n = publisher(context);
  for (let i = 0; i < 5; i++) await n.info(`e${i}`, {});
  await full.promise;
  await new Promise((r) => setImmediate(r));
  assert.is(inFlight, 3, 'the other two wait for a free slot');
  gate.resolve();
  await done;
  assert.is(most, 3);
});

Listener('should drain on stop: handlers in flight finish and their messages are acked', async (context) => {
  const gate = deferred();
  const started = deferred();
  const slow = async () => {
    started.resolve();
    await gate.promise;
  };
  const listener = listen(context, [{ info: slow }]);
  await listener.start();
  const done = outcomes(listener, 1);
  await publisher(context).info('slow', {});
  await started.promise;
  let stopped = false;
  const stopping = listener.stop().then(() => (stopped = true));
  assert.not.ok(listener.running);
  await new Promise((r) => setImmediate(r));
  assert.not.ok(stopped, 'stop waits for the handler');
  gate.resolve();
  await stopping;
  assert.equal(
    (await done).map((o) => o.settled),
    ['acked'],
  );
  // The memory broker would put an unacked message back on the next macrotask.
  await new Promise((r) => setImmediate(r));
  assert.is(depth(context, 'info'), 0, 'nothing went back to the queue');
});

Listener('should leave to the broker what it had not started when stopped', async (context) => {
  const gate = deferred();
  const started = deferred();
  const got: string[] = [];
  const handler = async (_c: Context, _p: string, e: string) => {
    got.push(e);
    started.resolve();
    await gate.promise;
  };
  const first = listen(context, [{ info: handler }], { executor: blockingExecutor() });
  await first.start();
  const n = publisher(context);
  for (let i = 0; i < 3; i++) await n.info(`e${i}`, {});
  await started.promise;
  const stopping = first.stop();
  gate.resolve();
  await stopping;
  assert.equal(got, ['e0']);
  // The memory broker puts messages back on the next macrotask.
  await new Promise((r) => setImmediate(r));
  assert.is(depth(context, 'info'), 2, 'the two it never started are back in the queue');

  const second = listen(context, [{ info: (_c: Context, _p: string, e: string) => void got.push(e) }], { executor: blockingExecutor() });
  const rest = outcomes(second, 2);
  await second.start();
  await rest;
  assert.equal(got, ['e0', 'e1', 'e2']);
});

Listener('should start once, resolve when consuming, and start again after a stop', async (context) => {
  const got: string[] = [];
  const listener = listen(context, [{ info: (_c: Context, _p: string, e: string) => void got.push(e) }]);
  assert.not.ok(listener.running);
  await listener.start();
  await listener.start();
  assert.ok(listener.running);
  await listener.stop();
  await listener.stop();
  assert.not.ok(listener.running);
  await listener.start();
  const done = outcomes(listener, 1);
  await publisher(context).info('after-restart', {});
  await done;
  assert.equal(got, ['after-restart'], 'one consumer, not two');
});

Listener('should refuse endpoints without a priority method and targets a listener cannot use', (context) => {
  assert.throws(() => notificationListener(context.transport, [target({ topic: 't' })], [{ notAPriority: () => {} } as never]), /no endpoint has a method named after a priority/);
  assert.throws(
    () => notificationListener(context.transport, [{ topic: 't', server: 'host' }], [{ info: () => {} }]),
    (e: unknown) => e instanceof InvalidTarget,
  );
  assert.throws(
    () => notificationListener(context.transport, [{}], [{ info: () => {} }]),
    (e: unknown) => e instanceof InvalidTarget,
  );
});

Listener.run();
