import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { notifier } from '../../lib/notify/notifier.js';
import { testDriver } from '../../testing/test-notifier-driver.js';
import { recordingTransport } from '../helpers/notifications.js';

const Test = suite('testDriver');

Test("should record oslo's (context, message, priority, retry) instead of sending", async () => {
  const sent = testDriver();
  const transport = recordingTransport();
  await notifier(transport, { publisherId: 'x', driver: sent }).info('evt', { a: 1 }, { user_id: 'u1' });
  assert.is(transport.published.length, 0);
  assert.is(sent.notifications.length, 1);
  const [recorded] = sent.notifications;
  assert.equal(recorded?.context, { user_id: 'u1' });
  assert.is(recorded?.priority, 'info');
  assert.is(recorded?.retry, undefined);
  assert.equal({ ...recorded?.message, messageId: '', timestamp: '' }, { messageId: '', timestamp: '', publisherId: 'x', eventType: 'evt', priority: 'info', payload: { a: 1 } });
});

Test('should keep the order of sends and forget them on reset', async () => {
  const sent = testDriver();
  const n = notifier(recordingTransport(), { publisherId: 'x', driver: sent, retry: -1 });
  await n.info('one', {});
  await n.error('two', {});
  assert.equal(
    sent.notifications.map((r) => [r.message.eventType, r.priority, r.retry]),
    [
      ['one', 'info', -1],
      ['two', 'error', -1],
    ],
  );
  sent.reset();
  assert.equal(sent.notifications, []);
  await n.info('three', {});
  assert.equal(
    sent.notifications.map((r) => r.message.eventType),
    ['three'],
  );
});

Test('should keep the recordings of separate drivers apart', async () => {
  const a = testDriver();
  const b = testDriver();
  await notifier(recordingTransport(), { publisherId: 'x', driver: a }).info('only-a', {});
  assert.is(a.notifications.length, 1);
  assert.is(b.notifications.length, 0);
});

Test.run();
