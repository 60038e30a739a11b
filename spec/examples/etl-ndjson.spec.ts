import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, takeWhile, tap, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { queueDepth } from '../../testing/index.js';
import { ndjsonSink } from '../../examples/etl-ndjson.js';
import { instanceEvents, toRecord } from '../../examples/etl-source.js';
import { publishDemoEvents } from '../../examples/notifier.js';
import { hexId } from '../../lib/core/ids.js';
import { setLogSink } from '../../lib/core/logger.js';
import { notifier } from '../../lib/notify/notifier.js';
import { notificationQueue, target } from '../../lib/core/target.js';
import { connect, type Transport } from '../../lib/transport.js';
import { batchAcknowledge } from '../../operators/notify/batch-acknowledge.js';
import { settle } from '../helpers/notifications.js';

interface Context_ {
  broker: string;
  transport: Transport;
  directory: string;
  restoreLogs: () => void;
}

const Ndjson = suite<Context_>('etl-ndjson', {} as Context_);

Ndjson.before.each(async (context) => {
  context.broker = `etl-ndjson-${hexId()}`;
  context.transport = await connect(`memory://${context.broker}`);
  context.directory = mkdtempSync(join(tmpdir(), 'rx-etl-'));
  context.restoreLogs = setLogSink(() => {});
});

Ndjson.after.each(async (context) => {
  await context.transport.close();
  context.restoreLogs();
});

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

Ndjson('should extract instance events only, transformed into flat records', async (context) => {
  await publishDemoEvents(notifier(context.transport, { publisherId: 'compute.demo' }), 2);
  const events = await firstValueFrom(
    instanceEvents(context.transport).pipe(
      takeWhile((n) => n.priority !== 'error', true),
      toArray(),
    ),
  );
  assert.equal(
    events.map((n) => n.eventType),
    ['compute.instance.create.start', 'compute.instance.create.end', 'compute.instance.create.start', 'compute.instance.create.end', 'compute.instance.resize.error'],
  );
  const record = toRecord(events[1]!);
  assert.equal(
    { ...record, message_id: '', occurred_at: '' },
    {
      message_id: '',
      occurred_at: '',
      event_type: 'compute.instance.create.end',
      publisher_id: 'compute.demo',
      priority: 'info',
      instance_id: 'instance-1',
      state: 'active',
      project_id: 'demo',
      user_id: 'alice',
    },
  );
  assert.match(record.occurred_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/);
});

Ndjson('should lose nothing when the file cannot be written: the batches come back and are written once it can', async (context) => {
  const path = join(context.directory, 'not-yet', 'events.ndjson');
  await publishDemoEvents(notifier(context.transport, { publisherId: 'compute.demo' }), 3);
  let written = 0;
  const outcomes = await firstValueFrom(
    instanceEvents(context.transport).pipe(
      batchAcknowledge({ size: 4, timeout: 50, sink: ndjsonSink(path) }),
      tap((outcome) => {
        if (outcome.outcome === 'acked') written += outcome.batch.length;
        // The directory is missing, so writes fail until the first failure has it created.
        else mkdirSync(join(context.directory, 'not-yet'), { recursive: true });
      }),
      takeWhile(() => written < 7, true),
      toArray(),
    ),
  );
  assert.ok(outcomes.some((o) => o.outcome === 'requeued'));
  const stored = lines(path);
  assert.is(stored.length, 7);
  assert.is(new Set(stored.map((r) => r['message_id'])).size, 7, 'each event once');
  await settle();
  assert.is(queueDepth(context.broker, 'openstack', notificationQueue(target({ topic: 'notifications' }), 'info')), 0);
});

Ndjson.run();
