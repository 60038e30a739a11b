import { concatMap, firstValueFrom, from, Subject, take, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId } from '../../../lib/core/ids.js';
import { notifier } from '../../../lib/notify/notifier.js';
import { messagingV1Driver, messagingV2Driver } from '../../../lib/notify/notifier-drivers/messaging.js';
import { target } from '../../../lib/core/target.js';
import { connect } from '../../../lib/transport.js';
import { filterNotifications, notificationFilter } from '../../../operators/notify/filter-notifications.js';
import { incomingNotification, settle } from '../../helpers/notifications.js';

const FilterNotifications = suite('filterNotifications');

FilterNotifications('should pass what matches and ack what it drops', async () => {
  const keep = incomingNotification({ messageId: 'keep', eventType: 'compute.instance.create.end' });
  const drop = incomingNotification({ messageId: 'drop', eventType: 'volume.create' });
  const passed = await firstValueFrom(from([keep, drop]).pipe(filterNotifications({ eventType: '^compute\\.' }), toArray()));
  await settle();
  assert.equal(
    passed.map((n) => n.messageId),
    ['keep'],
  );
  assert.equal(keep.events, [], 'what passes is left for the rest of the pipeline to settle');
  assert.equal(drop.events, ['ack']);
});

FilterNotifications('should apply every kind of rule: context, publisher id, event type, metadata and payload', async () => {
  const base = { context: { project_id: 'p1' }, publisherId: 'compute.host-1', eventType: 'compute.x', payload: { state: 'active' }, timestamp: '2026-11-22 05:25:21.387733' };
  const cases = [
    [{ context: { project_id: '^p1$' } }, { context: { project_id: 'p2' } }],
    [{ publisherId: '^compute' }, { publisherId: 'network.host-1' }],
    [{ eventType: 'compute\\.' }, { eventType: 'image.upload' }],
    [{ metadata: { timestamp: '^2026-11' } }, { timestamp: '2025-01-01 00:00:00.000000' }],
    [{ payload: { state: '^active$' } }, { payload: { state: 'error' } }],
  ] as const;
  for (const [rule, mismatch] of cases) {
    const good = incomingNotification(base);
    const bad = incomingNotification({ ...base, ...mismatch });
    const passed = await firstValueFrom(from([good, bad]).pipe(filterNotifications(rule), toArray()));
    assert.equal(passed, [good], JSON.stringify(rule));
    await settle();
    assert.equal(bad.events, ['ack'], JSON.stringify(rule));
  }
});

FilterNotifications('should take a compiled filter too, and pass errors and completion on', async () => {
  const source = new Subject<ReturnType<typeof incomingNotification>>();
  const seen: string[] = [];
  source
    .pipe(filterNotifications(notificationFilter({ publisherId: 'a' })))
    .subscribe({ next: (n) => seen.push(n.publisherId), error: (e: Error) => seen.push(`error:${e.message}`) });
  source.next(incomingNotification({ publisherId: 'a1' }));
  source.error(new Error('consumer cancelled'));
  assert.equal(seen, ['a1', 'error:consumer cancelled']);
});

FilterNotifications('should filter v1 and v2 messages alike from a transport, the dropped ones never coming back', async () => {
  const broker = `filter-${hexId()}`;
  const transport = await connect(`memory://${broker}`);
  try {
    const topic = `n-${hexId()}`;
    for (const driver of [messagingV1Driver(), messagingV2Driver()]) {
      const n = notifier(transport, { publisherId: driver.name, topics: [topic], driver });
      await n.info('volume.drop', {});
      await n.info('compute.keep', {});
    }
    const kept = await firstValueFrom(
      transport.notifications([target({ topic })], { priorities: ['info'] }).pipe(
        filterNotifications({ eventType: '^compute\\.' }),
        // Acked while the consumer is open: an ack after it was cancelled would not count.
        concatMap((n) => n.ack().then(() => n)),
        take(2),
        toArray(),
      ),
    );
    assert.equal(
      kept.map((n) => `${n.publisherId}:${n.eventType}`),
      ['messaging:compute.keep', 'messagingv2:compute.keep'],
    );
    // A second consumer finds nothing: the dropped ones were acked, not returned.
    const again: string[] = [];
    const subscription = transport.notifications([target({ topic })], { priorities: ['info'] }).subscribe((n) => again.push(n.eventType));
    await settle();
    subscription.unsubscribe();
    assert.equal(again, []);
  } finally {
    await transport.close();
  }
});

FilterNotifications.run();
