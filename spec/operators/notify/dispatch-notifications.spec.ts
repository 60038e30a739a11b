import { from, lastValueFrom, Subject, Subscription, toArray, type SchedulerLike } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Context } from '../../../lib/core/context.js';
import { setLogSink } from '../../../lib/core/logger.js';
import type { Serializer } from '../../../lib/core/serializer.js';
import { blockingExecutor, microtaskExecutor } from '../../../lib/executors/executor.js';
import { dispatchNotifications, NotificationResult, notificationPriorities, type NotificationOutcome } from '../../../operators/notify/dispatch-notifications.js';
import { incomingNotification, settle } from '../../helpers/notifications.js';

const Dispatch = suite('dispatchNotifications', { restoreLogs: () => {} });

Dispatch.before.each((context) => {
  context.restoreLogs = setLogSink(() => {});
});

Dispatch.after.each((context) => context.restoreLogs());

const summary = (outcomes: readonly NotificationOutcome[]) => outcomes.map((o) => `${o.messageId}:${o.settled}:${o.reason}`);

Dispatch("should run the endpoints of each message's priority with oslo's arguments and ack it", async () => {
  const calls: unknown[][] = [];
  const info = incomingNotification({ messageId: 'i', context: { user_id: 'u1' }, payload: { x: 1 } });
  const warn = incomingNotification({ messageId: 'w', priority: 'warn' });
  const outcomes = await lastValueFrom(
    from([info, warn]).pipe(dispatchNotifications([{ info: (...args: unknown[]) => void calls.push(args) }], { executor: blockingExecutor() }), toArray()),
  );
  assert.equal(summary(outcomes), ['i:acked:handled', 'w:acked:handled'], 'a priority no endpoint handles is acked');
  assert.equal(calls, [[{ user_id: 'u1' }, 'compute.host-1', 'compute.instance.create.end', { x: 1 }, { message_id: 'i', timestamp: '2026-11-22 05:25:21.387733' }]]);
  assert.equal([info.events, warn.events], [['ack'], ['ack']]);
});

Dispatch('should ack a duplicate _unique_id without handling it, and handle a requeued one when it comes back', async () => {
  const got: string[] = [];
  let calls = 0;
  const endpoint = { info: (_c: Context, _p: string, eventType: string) => (got.push(eventType), ++calls === 1 ? NotificationResult.REQUEUE : undefined) };
  const events: string[] = [];
  const outcomes = await lastValueFrom(
    from([
      incomingNotification({ messageId: 'first', eventType: 'a', uniqueId: 'u-1' }, events),
      incomingNotification({ messageId: 'redelivered', eventType: 'a', uniqueId: 'u-1' }, events),
      incomingNotification({ messageId: 'copy', eventType: 'a', uniqueId: 'u-1' }, events),
    ]).pipe(dispatchNotifications([endpoint], { executor: blockingExecutor(), allowRequeue: true }), toArray()),
  );
  assert.equal(summary(outcomes), ['first:requeued:requeue', 'redelivered:acked:handled', 'copy:acked:duplicate']);
  assert.equal(got, ['a', 'a']);
  assert.equal(events, ['requeue', 'ack', 'ack']);
});

Dispatch('should remember only as many ids as the duplicate window holds', async () => {
  const ids = ['u-1', 'u-2', 'u-1'];
  const outcomes = await lastValueFrom(
    from(ids.map((uniqueId, i) => incomingNotification({ messageId: `m${i}`, uniqueId }))).pipe(
      dispatchNotifications([{ info: () => {} }], { executor: blockingExecutor(), duplicateWindow: 1 }),
      toArray(),
    ),
  );
  assert.equal(summary(outcomes), ['m0:acked:handled', 'm1:acked:handled', 'm2:acked:handled']);
  assert.throws(() => dispatchNotifications([{ info: () => {} }], { duplicateWindow: 0 }), /dispatchNotifications\(\): option duplicateWindow must be a positive integer/);
});

Dispatch("should ack what the filter rejects, matching the serializer's view of the message", async () => {
  const serializer: Serializer = {
    serializeEntity: (_c, e) => e,
    deserializeEntity: (_c, e) => e,
    serializeContext: (c) => c,
    deserializeContext: (c) => ({ ...c, project_id: String(c['tenant']) }),
  };
  const ours = incomingNotification({ messageId: 'ours', context: { tenant: 'p1' } });
  const theirs = incomingNotification({ messageId: 'theirs', context: { tenant: 'p2' } });
  const got: string[] = [];
  const outcomes = await lastValueFrom(
    from([ours, theirs]).pipe(
      dispatchNotifications([{ info: (c: Context) => void got.push(String(c['project_id'])) }], {
        executor: blockingExecutor(),
        serializer,
        filter: { context: { project_id: '^p1$' } },
      }),
      toArray(),
    ),
  );
  assert.equal(summary(outcomes).sort(), ['ours:acked:handled', 'theirs:acked:filtered']);
  assert.equal(got, ['p1']);
  assert.equal(theirs.events, ['ack']);
});

Dispatch('should requeue a message the serializer cannot read when allowRequeue is set, and ack it otherwise', async () => {
  const serializer: Serializer = {
    serializeEntity: (_c, e) => e,
    deserializeEntity: () => {
      throw new Error('unreadable');
    },
    serializeContext: (c) => c,
    deserializeContext: (c) => c,
  };
  const run = async (allowRequeue: boolean) => {
    const incoming = incomingNotification();
    const [outcome] = await lastValueFrom(from([incoming]).pipe(dispatchNotifications([{ info: () => {} }], { serializer, allowRequeue }), toArray()));
    return [outcome?.settled, outcome?.reason, String(outcome?.error), incoming.events];
  };
  assert.equal(await run(true), ['requeued', 'error', 'Error: unreadable', ['requeue']]);
  assert.equal(await run(false), ['acked', 'error', 'Error: unreadable', ['ack']]);
});

Dispatch('should report a refused ack as a failed outcome and go on, without remembering the message as seen', async () => {
  const refused = new Error('channel closed');
  const unackable = { ...incomingNotification({ messageId: 'lost', uniqueId: 'u-1' }), ack: () => Promise.reject(refused) };
  const again = incomingNotification({ messageId: 'again', uniqueId: 'u-1' });
  const outcomes = await lastValueFrom(from([unackable, again]).pipe(dispatchNotifications([{ info: () => {} }], { executor: blockingExecutor() }), toArray()));
  assert.equal(summary(outcomes), ['lost:failed:handled', 'again:acked:handled']);
  assert.is(outcomes[0]?.error, refused);
});

Dispatch('should leave unsettled the messages still waiting for a free slot once stopping', async () => {
  let stopping = false;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const incoming$ = new Subject<ReturnType<typeof incomingNotification>>();
  const messages = ['m0', 'm1', 'm2'].map((messageId) => incomingNotification({ messageId }));
  const done = lastValueFrom(
    incoming$.pipe(dispatchNotifications([{ info: () => gate }], { executor: microtaskExecutor({ concurrency: 1 }), stopping: () => stopping }), toArray()),
  );
  for (const message of messages) incoming$.next(message);
  incoming$.complete();
  await settle();
  stopping = true;
  release();
  assert.equal(summary(await done), ['m0:acked:handled']);
  assert.equal(
    messages.map((m) => m.events),
    [['ack'], [], []],
  );
});

Dispatch('should refuse endpoints without a priority method, and name the priorities to consume', () => {
  assert.throws(() => dispatchNotifications([{ notAPriority: () => {} } as never]), /no endpoint has a method named after a priority/);
  assert.equal(notificationPriorities([{ warn: () => {} }, { info: () => {}, filterRule: {} }]), ['info', 'warn']);
});

Dispatch.run();

/** A scheduler that runs at once, noting each delay asked for. */
function recordingScheduler(delays: number[]): SchedulerLike {
  const schedule = (work: () => void, delay = 0) => {
    delays.push(delay);
    work();
    return Subscription.EMPTY;
  };
  return { now: () => 0, schedule } as unknown as SchedulerLike;
}

/** Feeds `incoming` again after each requeue, as a broker would, until it is settled otherwise. */
async function poisonRun(config: Parameters<typeof dispatchNotifications>[1], fields: Parameters<typeof incomingNotification>[0] = {}, deadLetter = false) {
  const incoming = incomingNotification({ messageId: 'p', ...fields });
  const source = new Subject<typeof incoming>();
  let runs = 0;
  const fed = Object.assign(incoming, {
    requeue: async () => {
      incoming.events.push('requeue');
      queueMicrotask(() => source.next(fed));
    },
    ...(deadLetter && { deadLetter: async () => void incoming.events.push('dead-letter') }),
  });
  const outcomes: NotificationOutcome[] = [];
  const info = () => {
    runs++;
    return Promise.reject(new Error('poison'));
  };
  const done = new Promise<void>((resolve) => {
    source.pipe(dispatchNotifications([{ info }], { allowRequeue: true, ...config })).subscribe((outcome) => {
      outcomes.push(outcome);
      if (outcome.reason === 'poison') resolve();
    });
  });
  source.next(fed);
  await done;
  return { runs, events: incoming.events, outcomes };
}

Dispatch('should requeue a failing message at most maxRedeliveries times, waiting longer each time up to the cap', async () => {
  const delays: number[] = [];
  const { runs, events, outcomes } = await poisonRun({ maxRedeliveries: 5, redeliveryDelay: 100, maxRedeliveryDelay: 500, scheduler: recordingScheduler(delays) });
  assert.is(runs, 6);
  assert.equal(delays, [100, 200, 400, 500, 500]);
  assert.equal(events, ['requeue', 'requeue', 'requeue', 'requeue', 'requeue', 'ack']);
  assert.equal(summary(outcomes).at(-1), 'p:acked:poison');
});

Dispatch('should dead-letter a poison message where the transport can, and drop it when deadLetter is false', async () => {
  const scheduler = recordingScheduler([]);
  const moved = await poisonRun({ maxRedeliveries: 2, scheduler }, {}, true);
  assert.equal(moved.events, ['requeue', 'requeue', 'dead-letter']);
  assert.equal(summary(moved.outcomes).at(-1), 'p:dead-lettered:poison');
  const dropped = await poisonRun({ maxRedeliveries: 2, scheduler, deadLetter: false }, {}, true);
  assert.equal(dropped.events, ['requeue', 'requeue', 'ack']);
});

Dispatch("should count by the transport's deliveryCount where it gives one", async () => {
  const { runs, events } = await poisonRun({ maxRedeliveries: 5, scheduler: recordingScheduler([]) }, { deliveryCount: 5 } as never);
  assert.is(runs, 1);
  assert.equal(events, ['ack']);
});

Dispatch('should refuse a maxRedeliveries that is not a whole number', () => {
  assert.throws(() => dispatchNotifications([{ info: () => {} }], { maxRedeliveries: -1 }), /maxRedeliveries/);
});
