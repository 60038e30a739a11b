import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setLogSink } from '../../../lib/core/logger.js';
import { blockingExecutor } from '../../../lib/executors/executor.js';
import { dispatchNotificationBatches, type BatchNotificationMessage } from '../../../operators/notify/dispatch-notification-batches.js';
import { NotificationResult, type NotificationOutcome } from '../../../operators/notify/dispatch-notifications.js';
import type { IncomingNotification } from '../../../lib/driver/notifications.js';
import { incomingNotification, settle } from '../../helpers/notifications.js';

const Batches = suite('dispatchNotificationBatches', { restoreLogs: () => {} });

Batches.before.each((context) => {
  context.restoreLogs = setLogSink(() => {});
});

Batches.after.each((context) => context.restoreLogs());

const summary = (outcomes: readonly NotificationOutcome[]) => outcomes.map((o) => `${o.messageId}:${o.settled}:${o.reason}`);
const names = (batch: readonly BatchNotificationMessage[]) => batch.map((m) => m.eventType).join();

Batches('should batch each priority apart and flush the partial batches when the source completes', async () => {
  const got: string[] = [];
  const messages = [
    incomingNotification({ messageId: 'i1', eventType: 'i1' }),
    incomingNotification({ messageId: 'e1', eventType: 'e1', priority: 'error' }),
    incomingNotification({ messageId: 'i2', eventType: 'i2' }),
    incomingNotification({ messageId: 'i3', eventType: 'i3' }),
  ];
  const endpoint = {
    info: (batch: readonly BatchNotificationMessage[]) => void got.push(`info:${names(batch)}`),
    error: (batch: readonly BatchNotificationMessage[]) => void got.push(`error:${names(batch)}`),
  };
  const outcomes = await lastValueFrom(from(messages).pipe(dispatchNotificationBatches([endpoint], { executor: blockingExecutor(), batchSize: 2 }), toArray()));
  assert.equal(got, ['info:i1,i2', 'error:e1', 'info:i3']);
  assert.equal(summary(outcomes).sort(), ['e1:acked:handled', 'i1:acked:handled', 'i2:acked:handled', 'i3:acked:handled']);
});

Batches('should requeue a batch as a whole when a handler asks for it with allowRequeue, and ack it as a whole without', async () => {
  const run = async (allowRequeue: boolean) => {
    const events: string[] = [];
    const messages = ['a', 'b'].map((messageId) => incomingNotification({ messageId }, events));
    const outcomes = await lastValueFrom(from(messages).pipe(dispatchNotificationBatches([{ info: () => NotificationResult.REQUEUE }], { batchSize: 2, allowRequeue }), toArray()));
    return [summary(outcomes), events];
  };
  assert.equal(await run(true), [
    ['a:requeued:requeue', 'b:requeued:requeue'],
    ['requeue', 'requeue'],
  ]);
  assert.equal(await run(false), [
    ['a:acked:requeue', 'b:acked:requeue'],
    ['ack', 'ack'],
  ]);
});

Batches('should settle at once, outside any batch, what the filter rejects and a copy of a message acked already', async () => {
  const batches: string[] = [];
  const incoming$ = new Subject<IncomingNotification>();
  const done = lastValueFrom(
    incoming$.pipe(
      dispatchNotificationBatches([{ info: (batch) => void batches.push(names(batch)) }], { executor: blockingExecutor(), batchSize: 2, filter: { eventType: '^keep' } }),
      toArray(),
    ),
  );
  incoming$.next(incomingNotification({ messageId: 'keep-1', eventType: 'keep.1', uniqueId: 'u-1' }));
  incoming$.next(incomingNotification({ messageId: 'drop', eventType: 'drop.1', uniqueId: 'u-2' }));
  incoming$.next(incomingNotification({ messageId: 'keep-2', eventType: 'keep.2', uniqueId: 'u-3' }));
  await settle();
  incoming$.next(incomingNotification({ messageId: 'copy', eventType: 'keep.1', uniqueId: 'u-1' }));
  incoming$.complete();
  assert.equal(summary(await done), ['drop:acked:filtered', 'keep-1:acked:handled', 'keep-2:acked:handled', 'copy:acked:duplicate']);
  assert.equal(batches, ['keep.1,keep.2']);
});

Batches('should refuse a batch size that is not a positive integer', () => {
  assert.throws(() => dispatchNotificationBatches([{ info: () => {} }], { batchSize: 0 }), /option batchSize must be a positive integer/);
});

Batches.run();
