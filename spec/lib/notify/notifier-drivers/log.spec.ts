import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setLogSink, type LogRecord } from '../../../../lib/core/logger.js';
import { notifier } from '../../../../lib/notify/notifier.js';
import { logDriver } from '../../../../lib/notify/notifier-drivers/log.js';
import { PRIORITIES } from '../../../../lib/core/priority.js';
import { recordingTransport } from '../../../helpers/notifications.js';

const Log = suite<{ records: LogRecord[]; restore: () => void }>('logDriver', { records: [], restore: () => {} });

Log.before.each((context) => {
  context.records = [];
  context.restore = setLogSink((record) => context.records.push(record));
});

Log.after.each((context) => context.restore());

Log('should log the message as JSON under oslo.messaging.notification.<event_type>, without the context', async ({ records }) => {
  const transport = recordingTransport();
  await notifier(transport, { publisherId: 'compute.host-1', driver: logDriver() }).info('compute.instance.create.end', { instance_id: 'abc' }, { user_id: 'u1' });
  assert.is(transport.published.length, 0, 'the log driver sends nothing');
  assert.is(records.length, 1);
  const [record] = records as [LogRecord];
  assert.is(record.logger, 'oslo.messaging.notification.compute.instance.create.end');
  assert.is(record.level, 'info');
  const body = JSON.parse(record.message) as Record<string, unknown>;
  assert.equal(Object.keys(body).sort(), ['event_type', 'message_id', 'payload', 'priority', 'publisher_id', 'timestamp']);
  assert.equal(
    { ...body, message_id: '', timestamp: '' },
    { message_id: '', timestamp: '', publisher_id: 'compute.host-1', event_type: 'compute.instance.create.end', priority: 'INFO', payload: { instance_id: 'abc' } },
  );
});

Log('should mask secrets in the payload', async ({ records }) => {
  await notifier(recordingTransport(), { publisherId: 'p', driver: logDriver() }).info('identity.user.created', {
    name: 'alice',
    password: 'hunter2',
    creds: { secret: 's', kind: 'ec2' },
  });
  const body = JSON.parse(records[0]?.message ?? '{}') as { payload: unknown };
  assert.equal(body.payload, { name: 'alice', password: '***', creds: { secret: '***', kind: 'ec2' } });
  assert.not.match(records[0]?.message ?? '', /hunter2/);
});

Log('should log every priority at the nearest level', async ({ records }) => {
  const n = notifier(recordingTransport(), { publisherId: 'p', driver: logDriver() });
  for (const priority of PRIORITIES) await n[priority]('e', {});
  assert.equal(
    records.map((r) => r.level),
    ['info', 'debug', 'info', 'warn', 'error', 'error', 'debug'],
  );
  assert.equal(
    records.map((r) => (JSON.parse(r.message) as { priority: string }).priority),
    ['AUDIT', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SAMPLE'],
  );
});

Log.run();
