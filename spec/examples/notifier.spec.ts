import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { bootInstance, demoEventCount, failResize, publishDemoEvents } from '../../examples/notifier.js';
import { notifier } from '../../lib/notify/notifier.js';
import { testDriver } from '../../testing/test-notifier-driver.js';
import { recordingTransport } from '../helpers/notifications.js';

// How a user tests their own service's notifications: with the test driver, nothing is sent.
const Example = suite('examples/notifier');

Example('should report an instance boot at info, with a cpu sample in between', async () => {
  const sent = testDriver();
  await bootInstance(notifier(recordingTransport(), { publisherId: 'compute.h', driver: sent }), 'i-1', { user_id: 'u1' });
  assert.equal(
    sent.notifications.map((r) => `${r.priority} ${r.message.eventType}`),
    ['info compute.instance.create.start', 'sample compute.instance.cpu', 'info compute.instance.create.end'],
  );
  assert.equal(sent.notifications[2]?.message.payload, { instance_id: 'i-1', state: 'active', flavor: 'm1.small' });
});

Example('should report a failed resize at error with the reason', async () => {
  const sent = testDriver();
  await failResize(notifier(recordingTransport(), { publisherId: 'compute.h', driver: sent }), 'i-9', 'no host', {});
  assert.equal(sent.notifications[0]?.priority, 'error');
  assert.equal(sent.notifications[0]?.message.payload, { instance_id: 'i-9', state: 'error', reason: 'no host' });
});

Example('should publish demoEventCount events, none carrying the auth token', async () => {
  const sent = testDriver();
  await publishDemoEvents(notifier(recordingTransport(), { publisherId: 'compute.h', driver: sent }), 4);
  assert.is(sent.notifications.length, demoEventCount(4));
  assert.ok(sent.notifications.every((r) => !('auth_token' in r.context) && r.context['user_id'] === 'alice'));
});

Example.run();
