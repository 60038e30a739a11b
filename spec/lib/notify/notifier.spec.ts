import { firstValueFrom, take, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Context } from '../../../lib/core/context.js';
import { InvalidTarget } from '../../../lib/core/errors.js';
import { setLogSink, type LogRecord } from '../../../lib/core/logger.js';
import { NotificationPublishFailure } from '../../../lib/core/errors.js';
import { notifier } from '../../../lib/notify/notifier.js';
import type { NotifierDriver } from '../../../lib/notify/notifier-drivers/driver.js';
import { logDriver } from '../../../lib/notify/notifier-drivers/log.js';
import { noopDriver } from '../../../lib/notify/notifier-drivers/noop.js';
import { testDriver } from '../../../testing/test-notifier-driver.js';
import { PRIORITIES } from '../../../lib/core/priority.js';
import type { Serializer } from '../../../lib/core/serializer.js';
import { recordingTransport } from '../../helpers/notifications.js';

const Notifier = suite('notifier');

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const OSLO_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/;

function failingDriver(name: string): NotifierDriver {
  return { name, enabled: true, notify: async () => Promise.reject(new Error(`${name} is down`)) };
}

function captureLogs(): { records: LogRecord[]; restore: () => void } {
  const records: LogRecord[] = [];
  return { records, restore: setLogSink((record) => records.push(record)) };
}

Notifier("should publish oslo's message fields through messaging v2 on the default topic", async () => {
  const transport = recordingTransport();
  await notifier(transport, { publisherId: 'compute.host-1' }).info('compute.instance.create.end', { instance_id: 'abc' }, { user_id: 'u1' });
  assert.is(transport.published.length, 1);
  const [{ target, notification, options }] = transport.published as [(typeof transport.published)[0]];
  assert.equal(target, { topic: 'notifications' });
  assert.equal(options, { version: 2 });
  assert.match(notification.messageId, UUID4);
  assert.match(notification.timestamp, OSLO_TIME);
  assert.equal(
    { ...notification, messageId: '', timestamp: '' },
    {
      messageId: '',
      timestamp: '',
      publisherId: 'compute.host-1',
      eventType: 'compute.instance.create.end',
      priority: 'info',
      payload: { instance_id: 'abc' },
      context: { user_id: 'u1' },
    },
  );
});

Notifier('should send at each of the seven priorities', async () => {
  const sent = testDriver();
  const n = notifier(recordingTransport(), { publisherId: 'p', driver: sent });
  for (const priority of PRIORITIES) await n[priority](`event.${priority}`, {});
  assert.equal(
    sent.notifications.map((r) => [r.priority, r.message.priority, r.message.eventType]),
    PRIORITIES.map((p) => [p, p, `event.${p}`]),
  );
});

Notifier('should publish one message to every topic, with a fresh id per send', async () => {
  const transport = recordingTransport();
  const n = notifier(transport, { publisherId: 'p', topics: ['notifications', 'audit_events'] });
  await n.warn('a', 1);
  await n.warn('b', 2);
  assert.equal(
    transport.published.map((p) => p.target.topic),
    ['notifications', 'audit_events', 'notifications', 'audit_events'],
  );
  const [first, second, third] = transport.published;
  assert.is(first?.notification, second?.notification, 'the same message goes to both topics');
  assert.is.not(first?.notification.messageId, third?.notification.messageId);
});

Notifier("should cut the context down to oslo's safe keys", async () => {
  const sent = testDriver();
  await notifier(recordingTransport(), { publisherId: 'p', driver: sent }).info('e', {}, { user_id: 'u1', request_id: 'req-1', auth_token: 'secret', roles: ['admin'] });
  assert.equal(sent.notifications[0]?.context, { user_id: 'u1', request_id: 'req-1', roles: ['admin'] });
});

Notifier('should serialize the payload with the given context and the context after sanitizing', async () => {
  const seen: Context[] = [];
  const serializer: Serializer = {
    serializeEntity: (context, entity) => {
      seen.push(context);
      return { wrapped: entity };
    },
    deserializeEntity: (_c, e) => e,
    serializeContext: (context) => ({ ...context, serialized: true }),
    deserializeContext: (c) => c,
  };
  const sent = testDriver();
  await notifier(recordingTransport(), { publisherId: 'p', driver: sent, serializer }).info('e', 42, { user_id: 'u1', auth_token: 't' });
  assert.equal(seen, [{ user_id: 'u1', auth_token: 't' }]);
  assert.equal(sent.notifications[0]?.message.payload, { wrapped: 42 });
  assert.equal(sent.notifications[0]?.context, { user_id: 'u1', serialized: true });
});

Notifier('should give the same message to every driver, and pass retry on', async () => {
  const a = testDriver();
  const b = testDriver();
  await notifier(recordingTransport(), { publisherId: 'p', driver: [a, b], retry: 3 }).error('e', { x: 1 });
  assert.is(a.notifications.length, 1);
  assert.equal(a.notifications, b.notifications);
  assert.is(a.notifications[0]?.retry, 3);
});

Notifier('should prepare a notifier with another publisher id and retry that shares the drivers', async () => {
  const sent = testDriver();
  const base = notifier(recordingTransport(), { publisherId: 'compute', driver: sent, retry: 1 });
  const host = base.prepare({ publisherId: 'compute.host-2' });
  const noRetry = base.prepare({ retry: 0 });
  await host.info('e', {});
  await noRetry.info('e', {});
  await base.info('e', {});
  assert.is(host.drivers, base.drivers);
  assert.equal(
    sent.notifications.map((r) => [r.message.publisherId, r.retry]),
    [
      ['compute.host-2', 1],
      ['compute', 0],
      ['compute', 1],
    ],
  );
});

Notifier('should log, count and emit a driver failure without rejecting, while the other drivers still send', async () => {
  const logs = captureLogs();
  try {
    const sent = testDriver();
    const n = notifier(recordingTransport(), { publisherId: 'p', driver: [failingDriver('broken'), sent] });
    const failures = firstValueFrom(n.failures$);
    await n.critical('disk.full', { host: 'h' });
    const failure = await failures;
    assert.is(sent.notifications.length, 1);
    assert.is(n.failureCount, 1);
    assert.equal(
      { ...failure, error: String(failure.error) },
      { driver: 'broken', messageId: sent.notifications[0]?.message.messageId, eventType: 'disk.full', priority: 'critical', error: 'Error: broken is down' },
    );
    const logged = logs.records.find((r) => r.logger === 'rx-messaging.notifier');
    assert.is(logged?.level, 'error');
    assert.match(logged?.message ?? '', /broken driver/);
  } finally {
    logs.restore();
  }
});

Notifier('should share the failure count and stream with prepared notifiers', async () => {
  const logs = captureLogs();
  try {
    const n = notifier(recordingTransport(), { publisherId: 'p', driver: failingDriver('down') });
    const two = firstValueFrom(n.failures$.pipe(take(2), toArray()));
    await n.prepare({ publisherId: 'q' }).info('a', {});
    await n.info('b', {});
    assert.equal(
      (await two).map((f) => f.eventType),
      ['a', 'b'],
    );
    assert.is(n.failureCount, 2);
  } finally {
    logs.restore();
  }
});

Notifier('should reject with NotificationPublishFailure when raiseOnError is set', async () => {
  const logs = captureLogs();
  try {
    const n = notifier(recordingTransport(), { publisherId: 'p', driver: [failingDriver('one'), failingDriver('two')], raiseOnError: true });
    const error = await n.audit('e', {}).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.instance(error, NotificationPublishFailure);
    const failure = error as NotificationPublishFailure;
    assert.equal(
      failure.failures.map((f) => f.driver),
      ['one', 'two'],
    );
    assert.instance(failure.cause, AggregateError);
    assert.match(failure.message, /one, two/);
    assert.is(n.failureCount, 2);
  } finally {
    logs.restore();
  }
});

Notifier('should report a messaging failure on one topic while the other topic still gets the message', async () => {
  const logs = captureLogs();
  try {
    const transport = recordingTransport();
    transport.fail('broken_topic');
    const n = notifier(transport, { publisherId: 'p', topics: ['broken_topic', 'notifications'] });
    await n.info('e', {});
    assert.equal(
      transport.published.map((p) => p.target.topic),
      ['notifications'],
    );
    assert.is(n.failureCount, 1);
  } finally {
    logs.restore();
  }
});

Notifier('should be enabled unless every driver discards (noop) or there is none', () => {
  const transport = recordingTransport();
  assert.ok(notifier(transport, { publisherId: 'p' }).isEnabled());
  assert.ok(notifier(transport, { publisherId: 'p', driver: logDriver() }).isEnabled());
  assert.not.ok(notifier(transport, { publisherId: 'p', driver: noopDriver() }).isEnabled());
  assert.not.ok(notifier(transport, { publisherId: 'p', driver: [] }).isEnabled());
  assert.ok(notifier(transport, { publisherId: 'p', driver: [noopDriver(), testDriver()] }).isEnabled());
});

Notifier('should send nothing with the noop driver', async () => {
  const transport = recordingTransport();
  const n = notifier(transport, { publisherId: 'p', driver: noopDriver() });
  await n.info('e', {});
  assert.is(transport.published.length, 0);
  assert.is(n.failureCount, 0);
});

Notifier('should refuse a topic a notifier cannot use, and a missing publisher id', () => {
  assert.throws(
    () => notifier(recordingTransport(), { publisherId: 'p', topics: ['has space'] }),
    (e: unknown) => e instanceof InvalidTarget,
  );
  assert.throws(() => notifier(recordingTransport(), {} as never), /publisherId/);
});

Notifier.run();
