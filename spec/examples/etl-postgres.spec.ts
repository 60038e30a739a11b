import pg from 'pg';
import { firstValueFrom, takeWhile, tap, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { queueDepth } from '../../testing/index.js';
import { createTable, postgresSink } from '../../examples/etl-postgres.js';
import { instanceEvents } from '../../examples/etl-source.js';
import { hexId, uuid } from '../../lib/core/ids.js';
import { setLogSink } from '../../lib/core/logger.js';
import { notifier } from '../../lib/notify/notifier.js';
import { notificationQueue, target } from '../../lib/core/target.js';
import { connect, type Transport } from '../../lib/transport.js';
import { batchAcknowledge } from '../../operators/notify/batch-acknowledge.js';
import { incomingNotification, settle } from '../helpers/notifications.js';

const host = process.env['PGHOST'] ?? '127.0.0.1';
const port = Number(process.env['PGPORT'] ?? 5432);

/** The local PostgreSQL the specs use (trust auth), as user postgres or root; undefined when unreachable. */
async function reachDatabase(): Promise<{ db: pg.Pool | undefined; reason: string }> {
  const reasons: string[] = [];
  for (const user of ['postgres', 'root']) {
    const db = new pg.Pool({ host, port, user, database: 'test', connectionTimeoutMillis: 5_000 });
    try {
      await db.query('SELECT 1');
      return { db, reason: '' };
    } catch (error) {
      reasons.push(`${user}: ${(error as Error).message}`);
      await db.end();
    }
  }
  return { db: undefined, reason: reasons.join('; ') };
}

const { db, reason } = await reachDatabase();

interface Context_ {
  table: string;
  broker: string;
  topic: string;
  transport: Transport;
  restoreLogs: () => void;
}

const Postgres = suite<Context_>('etl-postgres', {} as Context_);
const test = db ? Postgres : Postgres.skip;
if (!db) console.log(`etl-postgres: skipping, PostgreSQL is not reachable at ${host}:${port} database test (${reason})`);

Postgres.before.each(async (context) => {
  context.table = `instance_events_${hexId()}`;
  context.broker = `etl-pg-${hexId()}`;
  context.topic = 'notifications';
  context.transport = await connect(`memory://${context.broker}`);
  context.restoreLogs = setLogSink(() => {});
});

Postgres.after.each(async (context) => {
  await context.transport.close();
  await db?.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(context.table)}`);
  context.restoreLogs();
});

Postgres.after(async () => {
  await db?.end();
});

const database = () => db as pg.Pool;

async function storedIds(table: string): Promise<string[]> {
  const result = await database().query<{ message_id: string }>(`SELECT message_id FROM ${pg.escapeIdentifier(table)} ORDER BY message_id`);
  return result.rows.map((row) => row.message_id);
}

async function publishInstances(context: Context_, count: number): Promise<void> {
  const n = notifier(context.transport, { publisherId: 'compute.host-1', topics: [context.topic] });
  for (let i = 0; i < count; i++) await n.info('compute.instance.create.end', { instance_id: `i-${i}`, state: 'active' }, { project_id: 'p1' });
}

test('should insert a batch and ack it once the transaction committed', async (context) => {
  await createTable(database(), context.table);
  await publishInstances(context, 5);
  const outcome = await firstValueFrom(instanceEvents(context.transport).pipe(batchAcknowledge({ size: 5, sink: postgresSink(database(), context.table) })));
  assert.is(outcome?.outcome, 'acked');
  const rows = await database().query(`SELECT instance_id, state, project_id, event_type FROM ${pg.escapeIdentifier(context.table)} ORDER BY instance_id`);
  assert.equal(
    rows.rows.map((r) => `${r.instance_id} ${r.state} ${r.project_id} ${r.event_type}`),
    [0, 1, 2, 3, 4].map((i) => `i-${i} active p1 compute.instance.create.end`),
  );
  await settle();
  assert.is(queueDepth(context.broker, 'openstack', notificationQueue(target({ topic: context.topic }), 'info')), 0);
});

test('should store nothing of a batch when one row fails', async (context) => {
  await createTable(database(), context.table);
  const good = incomingNotification({ messageId: uuid() });
  const bad = incomingNotification({ messageId: 'not-a-uuid' });
  const error = await postgresSink(
    database(),
    context.table,
  )([good, bad]).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.match(String(error), /uuid/);
  assert.equal(await storedIds(context.table), []);
});

test('should store a redelivered message once', async (context) => {
  await createTable(database(), context.table);
  const batch = [incomingNotification({ messageId: uuid() }), incomingNotification({ messageId: uuid() })];
  const sink = postgresSink(database(), context.table);
  await sink(batch);
  await sink([batch[1]!, incomingNotification({ messageId: uuid() })]);
  assert.is((await storedIds(context.table)).length, 3);
});

test('should lose nothing while the database refuses writes: requeued batches are stored once it works', async (context) => {
  await publishInstances(context, 6);
  let acked = 0;
  let creating: Promise<void> | undefined;
  const outcomes = await firstValueFrom(
    instanceEvents(context.transport).pipe(
      // The table does not exist yet, so inserts fail until the first failure has it created.
      batchAcknowledge({ size: 3, timeout: 50, sink: postgresSink(database(), context.table) }),
      tap((outcome) => {
        if (outcome.outcome === 'acked') acked += outcome.batch.length;
        else creating ??= createTable(database(), context.table);
      }),
      takeWhile(() => acked < 6, true),
      toArray(),
    ),
  );
  await creating;
  assert.ok(
    outcomes.some((o) => o.outcome === 'requeued'),
    'some writes failed',
  );
  const stored = await storedIds(context.table);
  assert.is(stored.length, 6, 'all six stored');
  assert.is(new Set(stored).size, 6, 'each once');
  await settle();
  assert.is(queueDepth(context.broker, 'openstack', notificationQueue(target({ topic: context.topic }), 'info')), 0, 'and acked');
});

Postgres.run();
