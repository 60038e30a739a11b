import { firstValueFrom, from, of, Subject, takeWhile, throwError, toArray } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { queueDepth } from '../../../testing/index.js';
import type { IncomingNotification } from '../../../lib/driver/notifications.js';
import { hexId } from '../../../lib/core/ids.js';
import { setLogSink } from '../../../lib/core/logger.js';
import { notifier } from '../../../lib/notify/notifier.js';
import { notificationQueue, target } from '../../../lib/core/target.js';
import { connect } from '../../../lib/transport.js';
import { AcknowledgeError } from '../../../lib/core/errors.js';
import { batchAcknowledge, type BatchOutcome } from '../../../operators/notify/batch-acknowledge.js';
import { incomingNotification, settle } from '../../helpers/notifications.js';

const BatchAcknowledge = suite<{ restore: () => void }>('batchAcknowledge', { restore: () => {} });

BatchAcknowledge.before.each((context) => {
  context.restore = setLogSink(() => {});
});
BatchAcknowledge.after.each((context) => context.restore());

BatchAcknowledge('should write batches at the size or the timeout (virtual time), acking each after its write', async () => {
  const scheduler = new TestScheduler(() => {});
  // Runs what is due by `frame` and moves the clock there (a no-op action carries it).
  const advanceTo = (frame: number) => {
    scheduler.schedule(() => {}, frame - scheduler.now());
    scheduler.maxFrames = frame;
    scheduler.flush();
  };
  const events: string[] = [];
  const item = (id: string) => incomingNotification({ messageId: id }, events);
  const sink = (batch: readonly IncomingNotification[]) => void events.push(`write ${batch.map((n) => n.messageId).join('')} at ${scheduler.now()}`);
  const source = new Subject<IncomingNotification>();
  const outcomes: string[] = [];
  source.pipe(batchAcknowledge({ size: 2, timeout: 5, sink, scheduler })).subscribe((o) => outcomes.push(`${o.outcome}:${o.batch.map((n) => n.messageId).join('')}`));
  source.next(item('a'));
  source.next(item('b'));
  await settle();
  assert.equal(events, ['write ab at 0', 'ack', 'ack'], 'the size was reached');
  advanceTo(1);
  source.next(item('c'));
  advanceTo(5);
  await settle();
  assert.equal(events.length, 3, 'no write before the timeout');
  advanceTo(6);
  await settle();
  assert.equal(events.slice(3), ['write c at 6', 'ack'], 'the timeout passed, 5 after c arrived');
  source.next(item('d'));
  source.complete();
  await settle();
  assert.equal(events.slice(5), ['write d at 6', 'ack'], 'completion writes the rest');
  assert.equal(outcomes, ['acked:ab', 'acked:c', 'acked:d']);
});

BatchAcknowledge('should ack nothing until the sink has finished writing', async () => {
  const events: string[] = [];
  let finish!: () => void;
  const written = new Promise<void>((resolve) => (finish = resolve));
  const items = [incomingNotification({}, events), incomingNotification({}, events)];
  const done = firstValueFrom(from(items).pipe(batchAcknowledge({ size: 2, sink: () => written })));
  await settle();
  assert.equal(events, [], 'still writing');
  finish();
  assert.is((await done).outcome, 'acked');
  assert.equal(events, ['ack', 'ack']);
});

BatchAcknowledge('should requeue the whole batch when the sink fails, and go on with the next batch', async () => {
  const items = ['a', 'b', 'c', 'd'].map((messageId) => incomingNotification({ messageId }));
  let writes = 0;
  const sink = () => (++writes === 1 ? throwError(() => new Error('disk full')) : of('ok'));
  const outcomes = await firstValueFrom(from(items).pipe(batchAcknowledge({ size: 2, sink }), toArray()));
  assert.equal(
    outcomes.map((o) => [o.outcome, o.batch.map((n) => n.messageId).join(''), o.error === undefined ? undefined : String(o.error)]),
    [
      ['requeued', 'ab', 'Error: disk full'],
      ['acked', 'cd', undefined],
    ],
  );
  assert.equal(
    items.map((i) => i.events.join()),
    ['requeue', 'requeue', 'ack', 'ack'],
  );
});

BatchAcknowledge('should write one batch at a time, in order', async () => {
  const log: string[] = [];
  let writing = false;
  const sink = async (batch: readonly IncomingNotification[]) => {
    assert.not.ok(writing, 'a write overlaps another');
    writing = true;
    await new Promise((r) => setImmediate(r));
    log.push(batch.map((n) => n.messageId).join(''));
    writing = false;
  };
  const items = ['a', 'b', 'c', 'd', 'e'].map((messageId) => incomingNotification({ messageId }));
  await firstValueFrom(from(items).pipe(batchAcknowledge({ size: 2, sink }), toArray()));
  assert.equal(log, ['ab', 'cd', 'e']);
});

BatchAcknowledge('should fail with AcknowledgeError when the broker refuses to take a batch back', async () => {
  const item = { ...incomingNotification(), requeue: () => Promise.reject(new Error('connection lost')) };
  const error = await firstValueFrom(
    of(item).pipe(
      batchAcknowledge({
        size: 1,
        sink: () => {
          throw new Error('sink down');
        },
      }),
    ),
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.instance(error, AcknowledgeError);
  assert.is((error as AcknowledgeError).action, 'requeue');
});

BatchAcknowledge('should refuse a config without a sink or a way to end a batch', () => {
  assert.throws(() => batchAcknowledge({ size: 2 } as never), /needs a sink/);
  assert.throws(() => batchAcknowledge({ sink: () => {} }), /needs a size, a timeout or both/);
});

BatchAcknowledge('should lose nothing when the sink fails: the messages come back and are written once it works', async () => {
  const broker = `etl-${hexId()}`;
  const transport = await connect(`memory://${broker}`);
  try {
    const topic = `n-${hexId()}`;
    const n = notifier(transport, { publisherId: 'svc', topics: [topic] });
    const published: string[] = [];
    for (let i = 0; i < 12; i++) {
      await n.info('order.created', { order: i });
      published.push(String(i));
    }
    const written: string[] = [];
    let attempts = 0;
    const sink = async (batch: readonly IncomingNotification[]) => {
      // The store is down for the first three writes.
      if (++attempts <= 3) throw new Error('store unavailable');
      written.push(...batch.map((m) => String((m.payload as { order: number }).order)));
    };
    const outcomes: BatchOutcome<IncomingNotification>[] = await firstValueFrom(
      transport.notifications([target({ topic })], { priorities: ['info'] }).pipe(
        batchAcknowledge({ size: 4, timeout: 20, sink }),
        takeWhile(() => written.length < published.length, true),
        toArray(),
      ),
    );
    assert.equal(
      outcomes.slice(0, 3).map((o) => o.outcome),
      ['requeued', 'requeued', 'requeued'],
    );
    assert.ok(
      outcomes.slice(0, 3).every((o) => o.batch.length > 0),
      'each failed write had messages',
    );
    assert.equal(
      [...written].sort((a, b) => Number(a) - Number(b)),
      published,
      'every message written exactly once',
    );
    assert.ok(
      outcomes.some((o) => o.outcome === 'acked' && o.batch.some((m) => m.redelivered)),
      'requeued messages were delivered again',
    );
    await settle();
    assert.is(queueDepth(broker, 'openstack', notificationQueue(target({ topic }), 'info')), 0);
  } finally {
    await transport.close();
  }
});

BatchAcknowledge('should leave every message in the queue while the sink keeps failing', async () => {
  const broker = `etl-${hexId()}`;
  const transport = await connect(`memory://${broker}`);
  try {
    const topic = `n-${hexId()}`;
    const n = notifier(transport, { publisherId: 'svc', topics: [topic] });
    for (let i = 0; i < 5; i++) await n.info('order.created', { order: i });
    const failures = await firstValueFrom(
      transport.notifications([target({ topic })], { priorities: ['info'] }).pipe(
        batchAcknowledge({
          size: 5,
          sink: () => Promise.reject(new Error('store unavailable')),
        }),
        takeWhile((_outcome, i) => i < 2, true),
        toArray(),
      ),
    );
    assert.equal(
      failures.map((o) => [o.outcome, o.batch.length]),
      [
        ['requeued', 5],
        ['requeued', 5],
        ['requeued', 5],
      ],
    );
    await settle();
    assert.is(queueDepth(broker, 'openstack', notificationQueue(target({ topic }), 'info')), 5);
  } finally {
    await transport.close();
  }
});

BatchAcknowledge.run();
