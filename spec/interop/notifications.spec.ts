/**
 * Notifications between rx-messaging and a real oslo.messaging 14 process, both ways: the v1
 * (`messaging`) and v2 (`messagingv2`) formats at every priority, pools, and requeue.
 */
import { randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import type { Context as RequestContext } from '../../lib/core/context.js';
import { connect, PRIORITIES, type Priority, type Transport } from '../../lib/index.js';
import { NotificationResult, type NotificationEndpoint } from '../../operators/notify/dispatch-notifications.js';
import type { NotificationMetadata } from '../../operators/notify/filter-notifications.js';
import { notificationListener, type NotificationListener } from '../../lib/notify/listener.js';
import { notifier } from '../../lib/notify/notifier.js';
import { messagingV1Driver, messagingV2Driver } from '../../lib/notify/notifier-drivers/messaging.js';
import { amqpUrl, serviceSuite } from '../helpers/services.js';
import { rawBroker, type RawBroker } from '../drivers/amqp/support.js';
import { startPeer, type PeerEvent, type PythonPeer } from './peer.js';

interface Context {
  peer: PythonPeer;
  broker: RawBroker;
  /** Queues a test made (`<topic>.<priority>`, pools), deleted after it. */
  queues: string[];
  transport: Transport;
  listeners: NotificationListener[];
  /** Python listener handles to stop after the test. */
  handles: string[];
}

const Notifications = await serviceSuite<Context>('interop: notifications with oslo.messaging', ['rabbitmq', 'oslo'], {} as Context);

const topicName = () => `interop_notifications_${randomBytes(6).toString('hex')}`;

/** A fresh topic whose `<topic>.<priority>` queues are deleted after the test. */
function topicFor(context: Context): string {
  const topic = topicName();
  context.queues.push(...PRIORITIES.map((priority) => `${topic}.${priority}`));
  return topic;
}

interface Received {
  readonly priority: Priority;
  readonly publisherId: string;
  readonly eventType: string;
  readonly payload: Record<string, unknown>;
  readonly metadata: NotificationMetadata;
  readonly context: RequestContext;
}

/** An endpoint with a method for every priority, recording what arrives; `settle` decides each outcome. */
function recordingEndpoint(settle: (n: Received) => NotificationResult = () => NotificationResult.HANDLED) {
  const received: Received[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const endpoint: NotificationEndpoint = Object.fromEntries(
    PRIORITIES.map((priority) => [
      priority,
      (context: RequestContext, publisherId: string, eventType: string, payload: Record<string, unknown>, metadata: NotificationMetadata) => {
        const entry = { priority, publisherId, eventType, payload, metadata, context };
        const outcome = settle(entry);
        if (outcome === NotificationResult.HANDLED) received.push(entry);
        for (const waiter of [...waiters]) {
          if (received.length >= waiter.count) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
        return outcome;
      },
    ]),
  );
  const until = (count: number) => (received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve })));
  return { endpoint, received, until };
}

Notifications.before(async (context) => {
  context.peer = await startPeer();
  context.broker = await rawBroker();
});

Notifications.after(async ({ peer, broker }) => {
  await peer.close();
  await broker.close();
});

Notifications.before.each(async (context) => {
  context.transport = await connect(amqpUrl());
  context.listeners = [];
  context.handles = [];
  context.queues = [];
});

Notifications.after.each(async ({ transport, listeners, peer, handles, broker, queues }) => {
  await Promise.all(listeners.map((listener) => listener.stop()));
  for (const handle of handles) await peer.request('stop', { handle });
  await transport.close();
  await broker.deleteQueues(...queues);
});

async function listenTs(context: Context, topic: string, endpoint: NotificationEndpoint, options: { pool?: string; allowRequeue?: boolean } = {}): Promise<void> {
  const listener = notificationListener(context.transport, [{ topic }], [endpoint], options);
  context.listeners.push(listener);
  await listener.start();
}

async function listenPython(context: Context, handle: string, topic: string, options: { pool?: string; requeue_once?: boolean } = {}): Promise<void> {
  await context.peer.request('listen', { handle, topics: [topic], ...options });
  context.handles.push(handle);
}

Notifications('should receive Python notifications, v2 and v1, at every priority', async (context) => {
  const { peer } = context;
  const topic = topicFor(context);
  const ts = recordingEndpoint();
  await listenTs(context, topic, ts.endpoint);
  for (const driver of ['messagingv2', 'messaging']) {
    for (const priority of PRIORITIES) {
      await peer.request('notify', {
        topic,
        driver,
        priority,
        publisher_id: 'compute.host1',
        event_type: `compute.${priority}`,
        payload: { driver, priority },
        context: { user_id: 'u1', request_id: 'req-n1', auth_token: 'secret' },
      });
    }
  }
  await ts.until(14);
  for (const driver of ['messagingv2', 'messaging']) {
    const sent = ts.received.filter((n) => n.payload['driver'] === driver);
    assert.equal(sent.map((n) => [n.priority, n.eventType, n.payload['priority']]).sort(), PRIORITIES.map((p) => [p, `compute.${p}`, p]).sort(), `${driver} at every priority`);
  }
  const [first] = ts.received;
  assert.is(first!.publisherId, 'compute.host1');
  assert.is(first!.context['user_id'], 'u1');
  assert.is(first!.context['auth_token'], undefined, 'oslo sanitized the context');
  assert.match(first!.metadata.message_id, /^[0-9a-f-]{36}$/);
  assert.match(first!.metadata.timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
});

Notifications('should send Python listeners notifications, v2 and v1, at every priority', async (context) => {
  const { peer, transport } = context;
  const topic = topicFor(context);
  await listenPython(context, 'py-all', topic);
  const v2 = notifier(transport, { publisherId: 'ts.host1', topics: [topic], driver: messagingV2Driver(), raiseOnError: true });
  const v1 = notifier(transport, { publisherId: 'ts.host1', topics: [topic], driver: messagingV1Driver(), raiseOnError: true });
  for (const priority of PRIORITIES) {
    await v2.notify(priority, `ts.${priority}`, { v: 2, priority }, { user_id: 'u1', request_id: 'req-ts' });
    await v1.notify(priority, `ts.${priority}`, { v: 1, priority }, { user_id: 'u1' });
  }
  const events = await peer.events(14, (e) => e.event === 'notification' && e['listener'] === 'py-all');
  for (const v of [1, 2]) {
    const sent = events.filter((e) => (e['payload'] as { v: number }).v === v);
    assert.equal(sent.map((e) => e['priority']).sort(), [...PRIORITIES].sort(), `v${v} at every priority`);
    for (const e of sent) assert.is(e['event_type'], `ts.${e['priority'] as string}`);
  }
  const [first] = events;
  assert.is(first!['publisher_id'], 'ts.host1');
  assert.is((first!['context'] as { user_id: string }).user_id, 'u1');
  assert.match((first!['metadata'] as { timestamp: string }).timestamp, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
});

Notifications('should give each pool, Python or TypeScript, its own copy, beside plain listeners of both', async (context) => {
  const { peer, transport } = context;
  const topic = topicFor(context);
  const [poolPy, poolTs] = [`pool_py_${topic}`, `pool_ts_${topic}`];
  context.queues.push(poolPy, poolTs);
  await listenPython(context, 'py-pool', topic, { pool: poolPy });
  const tsPool = recordingEndpoint();
  await listenTs(context, topic, tsPool.endpoint, { pool: poolTs });
  // A plain listener of each language shares <topic>.info: declared by both without a 406.
  await listenPython(context, 'py-plain', topic);
  const tsPlain = recordingEndpoint();
  await listenTs(context, topic, tsPlain.endpoint);

  const n = notifier(transport, { publisherId: 'ts', topics: [topic], raiseOnError: true });
  await n.info('pooled.event', { from: 'ts' });
  await peer.request('notify', { topic, driver: 'messagingv2', priority: 'info', publisher_id: 'py', event_type: 'pooled.event', payload: { from: 'py' }, context: {} });

  const pyPool = await peer.events(2, (e) => e.event === 'notification' && e['listener'] === 'py-pool');
  assert.equal(pyPool.map((e) => (e['payload'] as { from: string }).from).sort(), ['py', 'ts']);
  await tsPool.until(2);
  assert.equal(tsPool.received.map((r) => r.payload['from']).sort(), ['py', 'ts']);
  // The plain listeners share one queue: together they get each message once, in some split.
  const pyPlain: PeerEvent[] = [];
  while (pyPlain.length + tsPlain.received.length < 2) {
    // A waiter that loses the race stays registered and still counts the event it takes later.
    await Promise.race([
      tsPlain.until(tsPlain.received.length + 1),
      peer.events(1, (e) => e.event === 'notification' && e['listener'] === 'py-plain').then((events) => pyPlain.push(...events)),
    ]);
  }
  assert.equal([...tsPlain.received.map((r) => r.payload['from']), ...pyPlain.map((e) => (e['payload'] as { from: string }).from)].sort(), ['py', 'ts']);
});

Notifications('should requeue both ways: a Python listener gets a TypeScript notification again, and the reverse', async (context) => {
  const { peer, transport } = context;
  const toPython = topicFor(context);
  await listenPython(context, 'py-requeue', toPython, { requeue_once: true });
  await notifier(transport, { publisherId: 'ts', topics: [toPython], raiseOnError: true }).warn('again', { n: 1 });
  const [requeued] = await peer.events(1, (e) => e.event === 'requeued' && e['listener'] === 'py-requeue');
  const [handled] = await peer.events(1, (e) => e.event === 'notification' && e['listener'] === 'py-requeue');
  assert.is((handled!['metadata'] as { message_id: string }).message_id, requeued!['message_id']);

  const toTs = topicFor(context);
  const seen = new Set<string>();
  const ts = recordingEndpoint((n) => {
    if (seen.has(n.metadata.message_id)) return NotificationResult.HANDLED;
    seen.add(n.metadata.message_id);
    return NotificationResult.REQUEUE;
  });
  await listenTs(context, toTs, ts.endpoint, { allowRequeue: true });
  await peer.request('notify', { topic: toTs, driver: 'messagingv2', priority: 'error', publisher_id: 'py', event_type: 'again', payload: { n: 2 }, context: {} });
  await ts.until(1);
  assert.equal(ts.received[0]!.payload, { n: 2 });
});

Notifications.run();
