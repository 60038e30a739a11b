import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { hexId } from '../../../lib/core/ids.js';
import { setLogSink } from '../../../lib/core/logger.js';
import {
  batchNotificationListener,
  connect,
  InvalidPayload,
  notificationContract,
  notificationListener,
  notifier,
  target,
  type NotificationListener,
  type NotificationOutcome,
  type Transport,
} from '../../../lib/index.js';
import { rejection, thrown } from '../../helpers/thrown.js';

const events = notificationContract({
  'compute.instance.create.end': z.object({ instance_id: z.string(), memory_mb: z.number().default(512) }),
});

const Contract = suite('notificationContract', {
  transport: undefined as unknown as Transport,
  topic: '',
  listener: undefined as NotificationListener | undefined,
  restoreLogs: () => {},
});
Contract.before.each(async (context) => {
  context.transport = await connect(`memory://notify-contract-${hexId()}`);
  context.topic = `n-${hexId()}`;
  context.restoreLogs = setLogSink(() => undefined);
});
Contract.after.each(async (context) => {
  await context.listener?.stop();
  context.listener = undefined;
  await context.transport.close();
  context.restoreLogs();
});

/** Resolves with the first `count` outcomes of the listener. */
function outcomes(listener: NotificationListener, count: number): Promise<NotificationOutcome[]> {
  const seen: NotificationOutcome[] = [];
  return new Promise((resolve) => listener.outcomes$.subscribe((outcome) => seen.push(outcome) === count && resolve(seen)));
}

Contract('should refuse an invalid payload on a notifier with the contract, sending nothing', async ({ transport, topic }) => {
  const sent: unknown[] = [];
  const n = notifier(transport, {
    publisherId: 'compute.h1',
    topics: [topic],
    contract: events,
    driver: { name: 'spy', enabled: true, notify: async (notification) => void sent.push(notification.payload) },
  });
  const error = await rejection(n.info('compute.instance.create.end', { instance_id: 7 as never }), InvalidPayload);
  assert.is(error.eventType, 'compute.instance.create.end');
  assert.equal(
    error.issues.map((issue) => issue.path),
    ['instance_id'],
  );
  await n.info('compute.instance.create.end', { instance_id: 'i-1' });
  await n.info('compute.other', { anything: true });
  assert.equal(sent, [{ instance_id: 'i-1' }, { anything: true }], 'the valid payload is sent as given; event types the contract does not name pass');
});

Contract('should hand a listener the payload as the schema gives it back, and ack an invalid one unhandled', async (context) => {
  const { transport, topic } = context;
  const handled: unknown[] = [];
  context.listener = notificationListener(transport, [target({ topic })], [{ info: (_ctx, _pub, _event, payload) => void handled.push(payload) }], {
    contract: events,
    allowRequeue: true,
  });
  await context.listener.start();
  const done = outcomes(context.listener, 2);
  // An untyped notifier sends what it is given: the listener's contract refuses it.
  const n = notifier(transport, { publisherId: 'compute.h1', topics: [topic] });
  await n.info('compute.instance.create.end', { instance_id: 1 });
  await n.info('compute.instance.create.end', { instance_id: 'i-2' });
  const [refused, accepted] = await done;
  assert.is(refused!.settled, 'acked', 'another delivery would fail the same: acked, even with allowRequeue');
  assert.is(refused!.reason, 'error');
  assert.instance(refused!.error, InvalidPayload);
  assert.equal(
    (refused!.error as InvalidPayload).issues.map((issue) => issue.path),
    ['instance_id'],
  );
  assert.is(accepted!.reason, 'handled');
  assert.equal(handled, [{ instance_id: 'i-2', memory_mb: 512 }], 'the default the schema adds reaches the handler');
});

Contract('should check the payloads of a batch listener the same way', async (context) => {
  const { transport, topic } = context;
  const handled: unknown[] = [];
  context.listener = batchNotificationListener(transport, [target({ topic })], [{ info: (messages) => void handled.push(...messages.map((m) => m.payload)) }], {
    contract: events,
    batchSize: 1,
  });
  await context.listener.start();
  const done = outcomes(context.listener, 2);
  const n = notifier(transport, { publisherId: 'compute.h1', topics: [topic] });
  await n.info('compute.instance.create.end', {});
  await n.info('compute.instance.create.end', { instance_id: 'i-3', memory_mb: 1024 });
  const [refused] = await done;
  assert.instance(refused!.error, InvalidPayload);
  assert.equal(handled, [{ instance_id: 'i-3', memory_mb: 1024 }]);
});

Contract('should refuse a notification contract whose values are not Standard Schemas', () => {
  assert.match(thrown(() => notificationContract({ 'a.b': {} as never }), TypeError).message, /a\.b is not a Standard Schema/);
});

Contract.run();

// --- types: a notifier of the contract types each event's payload.
declare const transport: Transport;
const typedNotifier = () => notifier(transport, { publisherId: 'p', contract: events });
declare const typed: ReturnType<typeof typedNotifier>;
export const typedSends = () => [
  typed.info('compute.instance.create.end', { instance_id: 'i' }),
  typed.prepare({ publisherId: 'q' }).warn('compute.instance.create.end', { instance_id: 'i', memory_mb: 1 }),
  typed.info('unnamed.event', { any: 'payload' }),
  // @ts-expect-error: a payload the schema refuses
  typed.info('compute.instance.create.end', { instance_id: 1 }),
  // @ts-expect-error: a missing field
  typed.notify('info', 'compute.instance.create.end', {}),
];
