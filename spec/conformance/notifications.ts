/**
 * Notification behaviours every driver must show, through the public API only. `url()` gives a
 * URL for one test (all transports of a test share it); each test uses fresh topic and pool
 * names, so the suite also runs on a shared, real broker.
 */
import { concatMap, firstValueFrom, take, toArray } from 'rxjs';
import { suite } from 'uvu';
import { needing, type ConformanceOptions } from './suite-factory.js';
import * as assert from 'uvu/assert';
import { hexId } from '../../lib/core/ids.js';
import { setLogSink, type LogRecord } from '../../lib/core/logger.js';
import { connect, PRIORITIES, target, type Context, type Priority, type Transport } from '../../lib/index.js';
import { batchNotificationListener } from '../../lib/notify/batch-listener.js';
import type { BatchNotificationMessage } from '../../operators/notify/dispatch-notification-batches.js';
import { NotificationResult } from '../../operators/notify/dispatch-notifications.js';
import { notificationListener } from '../../lib/notify/listener.js';
import { notifier } from '../../lib/notify/notifier.js';
import { messagingV1Driver, messagingV2Driver } from '../../lib/notify/notifier-drivers/messaging.js';
import { filterNotifications } from '../../operators/notify/filter-notifications.js';

interface NotificationContext {
  url: string;
  transports: Transport[];
  listeners: { stop(): Promise<void> }[];
}

/** A promise and the function that resolves it once `count` calls were made. */
function countdown(count: number): { done: Promise<void>; tick: () => void } {
  let resolve!: () => void;
  const done = new Promise<void>((r) => (resolve = r));
  let left = count;
  return { done, tick: () => void (--left === 0 && resolve()) };
}

/** Cases needing a broker capability run only where `capabilities` claims it; elsewhere they are skipped, saying which. */
export function notificationConformance(driver: string, url: () => string | Promise<string>, { capabilities, makeSuite = suite, cleanup }: ConformanceOptions = {}): void {
  const name = `conformance: notifications (${driver})`;
  const Notifications = makeSuite<NotificationContext>(name, { url: '', transports: [], listeners: [] });
  const NotificationsNeeding = needing(Notifications, name, capabilities);

  Notifications.before.each(async (context) => {
    context.url = await url();
    context.transports = [];
    context.listeners = [];
  });

  Notifications.after.each(async (context) => {
    await Promise.all(context.listeners.map((l) => l.stop()));
    await Promise.all(context.transports.map((t) => t.close()));
  });

  const open = async (context: NotificationContext): Promise<Transport> => {
    const transport = await connect(context.url);
    context.transports.push(transport);
    return transport;
  };

  const started = async (context: NotificationContext, listener: { start(): Promise<void>; stop(): Promise<void> }): Promise<void> => {
    context.listeners.push(listener);
    await listener.start();
  };

  Notifications('should deliver a notification at every priority to the method of that priority', async (context) => {
    const topic = `conf-${hexId()}`;
    const got: string[] = [];
    const { done, tick } = countdown(PRIORITIES.length);
    const endpoint = Object.fromEntries(
      PRIORITIES.map((p) => [
        p,
        (ctxt: Context, publisherId: string, eventType: string, payload: { n: number }) => (got.push(`${p} ${publisherId} ${eventType} ${payload.n} ${ctxt['user_id']}`), tick()),
      ]),
    );
    await started(context, notificationListener(await open(context), [target({ topic })], [endpoint]));
    const n = notifier(await open(context), { publisherId: 'svc.host-1', topics: [topic] });
    for (const [i, p] of PRIORITIES.entries()) await n[p](`event.${p}`, { n: i }, { user_id: 'u1', auth_token: 'never sent' });
    await done;
    assert.equal(got.sort(), PRIORITIES.map((p, i) => `${p} svc.host-1 event.${p} ${i} u1`).sort());
  });

  Notifications('should deliver v1 (bare) and v2 (enveloped) messages alike', async (context) => {
    const topic = `conf-${hexId()}`;
    const got: string[] = [];
    const { done, tick } = countdown(2);
    await started(
      context,
      notificationListener(
        await open(context),
        [target({ topic })],
        [{ warn: (_c: Context, publisherId: string, eventType: string) => (got.push(`${publisherId}:${eventType}`), tick()) }],
      ),
    );
    const transport = await open(context);
    await notifier(transport, { publisherId: 'v1', topics: [topic], driver: messagingV1Driver() }).warn('legacy', {});
    await notifier(transport, { publisherId: 'v2', topics: [topic], driver: messagingV2Driver() }).warn('current', {});
    await done;
    assert.equal(got.sort(), ['v1:legacy', 'v2:current']);
  });

  NotificationsNeeding(['durable'], 'should keep messages published before any listener until one comes', async (context) => {
    const topic = `conf-${hexId()}`;
    const n = notifier(await open(context), { publisherId: 'early', topics: [topic] });
    await n.info('first', {});
    await n.info('second', {});
    const got: string[] = [];
    const { done, tick } = countdown(2);
    await started(
      context,
      notificationListener(await open(context), [target({ topic })], [{ info: (_c: Context, _p: string, eventType: string) => (got.push(eventType), tick()) }]),
    );
    await done;
    assert.equal(got.sort(), ['first', 'second']);
  });

  NotificationsNeeding(['durable'], 'should consume only the priorities a listener handles, leaving the others queued', async (context) => {
    const topic = `conf-${hexId()}`;
    const infos: string[] = [];
    const info = countdown(1);
    await started(context, notificationListener(await open(context), [target({ topic })], [{ info: (_c: Context, _p: string, e: string) => (infos.push(e), info.tick()) }]));
    const n = notifier(await open(context), { publisherId: 'p', topics: [topic] });
    await n.error('for-someone-else', {});
    await n.info('for-me', {});
    await info.done;
    const errors: string[] = [];
    const error = countdown(1);
    await started(context, notificationListener(await open(context), [target({ topic })], [{ error: (_c: Context, _p: string, e: string) => (errors.push(e), error.tick()) }]));
    await error.done;
    assert.equal(infos, ['for-me']);
    assert.equal(errors, ['for-someone-else']);
  });

  NotificationsNeeding(['pools'], 'should give every pool its own copy of each message', async (context) => {
    const topic = `conf-${hexId()}`;
    const got: Record<string, string[]> = { a: [], b: [] };
    const { done, tick } = countdown(6);
    for (const pool of ['a', 'b'] as const) {
      const endpoint = { info: (_c: Context, _p: string, e: string) => (got[pool]?.push(e), tick()) };
      await started(context, notificationListener(await open(context), [target({ topic })], [endpoint], { pool: `conf-${hexId()}-${pool}` }));
    }
    const n = notifier(await open(context), { publisherId: 'p', topics: [topic] });
    for (const e of ['e1', 'e2', 'e3']) await n.info(e, {});
    await done;
    assert.equal(got['a']?.sort(), ['e1', 'e2', 'e3']);
    assert.equal(got['b']?.sort(), ['e1', 'e2', 'e3']);
  });

  NotificationsNeeding(['requeue'], 'should redeliver a requeued notification, marked redelivered', async (context) => {
    const topic = `conf-${hexId()}`;
    const transport = await open(context);
    let ready!: () => void;
    const consuming = new Promise<void>((resolve) => (ready = resolve));
    const deliveries = firstValueFrom(
      transport.notifications([target({ topic })], { priorities: ['audit'], onReady: () => ready() }).pipe(
        concatMap(async (incoming, i) => {
          await (i === 0 ? incoming.requeue() : incoming.ack());
          return `${incoming.eventType}:${incoming.redelivered}`;
        }),
        take(2),
        toArray(),
      ),
    );
    await consuming;
    await notifier(await open(context), { publisherId: 'p', topics: [topic] }).audit('once', {});
    assert.equal(await deliveries, ['once:false', 'once:true']);
  });

  NotificationsNeeding(['requeue'], 'should redeliver what a listener with allowRequeue asked to requeue', async (context) => {
    const topic = `conf-${hexId()}`;
    const calls: string[] = [];
    const { done, tick } = countdown(2);
    const endpoint = { critical: (_c: Context, _p: string, e: string) => (calls.push(e), tick(), calls.length === 1 ? NotificationResult.REQUEUE : NotificationResult.HANDLED) };
    await started(context, notificationListener(await open(context), [target({ topic })], [endpoint], { allowRequeue: true }));
    await notifier(await open(context), { publisherId: 'p', topics: [topic] }).critical('retry-me', {});
    await done;
    assert.equal(calls, ['retry-me', 'retry-me']);
  });

  NotificationsNeeding(['requeue'], 'should give up a message its handler always fails on after maxRedeliveries', async (context) => {
    const topic = `conf-${hexId()}`;
    let calls = 0;
    const givenUp = new Promise<LogRecord>((resolve) => {
      const restore = setLogSink((record) => {
        if (record.message.includes('redeliveries')) resolve(record);
      });
      context.listeners.push({ stop: async () => restore() });
    });
    const endpoint = {
      error: () => {
        calls++;
        throw new Error('poison');
      },
    };
    await started(context, notificationListener(await open(context), [target({ topic })], [endpoint], { allowRequeue: true, maxRedeliveries: 3, redeliveryDelay: 5 }));
    await notifier(await open(context), { publisherId: 'p', topics: [topic] }).error('poison', {});
    const record = await givenUp;
    assert.is(calls, 4, 'the first delivery and three redeliveries');
    assert.is(record.level, 'warn');
    assert.is(record.fields?.['eventType'], 'poison');
  });

  Notifications('should listen to several topics at once', async (context) => {
    const topics = [`conf-${hexId()}`, `conf-${hexId()}`];
    const got: string[] = [];
    const { done, tick } = countdown(2);
    await started(
      context,
      notificationListener(
        await open(context),
        topics.map((topic) => target({ topic })),
        [{ sample: (_c: Context, _p: string, e: string) => (got.push(e), tick()) }],
      ),
    );
    const transport = await open(context);
    for (const topic of topics) await notifier(transport, { publisherId: 'p', topics: [topic] }).sample(topic, {});
    await done;
    assert.equal(got.sort(), [...topics].sort());
  });

  Notifications('should hand a batch listener its messages in batches of batchSize', async (context) => {
    const topic = `conf-${hexId()}`;
    const batches: number[] = [];
    const { done, tick } = countdown(2);
    const endpoint = { debug: (messages: readonly BatchNotificationMessage[]) => (batches.push(messages.length), tick()) };
    await started(context, batchNotificationListener(await open(context), [target({ topic })], [endpoint], { batchSize: 3 }));
    const n = notifier(await open(context), { publisherId: 'p', topics: [topic] });
    for (let i = 0; i < 6; i++) await n.debug(`e${i}`, {});
    await done;
    assert.equal(batches, [3, 3]);
  });

  NotificationsNeeding(['durable'], 'should let a stream filter notifications, the dropped ones acked for good', async (context) => {
    const topic = `conf-${hexId()}`;
    const priorities: Priority[] = ['info'];
    const n = notifier(await open(context), { publisherId: 'p', topics: [topic] });
    for (const e of ['drop.1', 'keep.1', 'drop.2', 'keep.2']) await n.info(e, {});
    const consumer = await open(context);
    const kept = await firstValueFrom(
      consumer.notifications([target({ topic })], { priorities }).pipe(
        filterNotifications({ eventType: '^keep\\.' }),
        concatMap(async (incoming) => (await incoming.ack(), incoming.eventType)),
        take(2),
        toArray(),
      ),
    );
    assert.equal(kept, ['keep.1', 'keep.2']);
    // Nothing is left: a marker published now is the next thing a new consumer sees.
    await n.info('marker', {});
    const next = await firstValueFrom(consumer.notifications([target({ topic })], { priorities }).pipe(concatMap(async (incoming) => (await incoming.ack(), incoming.eventType))));
    assert.is(next, 'marker');
  });

  if (cleanup) Notifications.after(cleanup);

  Notifications.run();
}
