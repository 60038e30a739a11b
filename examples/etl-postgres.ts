/**
 * An ETL pipeline into PostgreSQL: instance lifecycle notifications are filtered, turned into
 * rows and inserted in batches, one transaction per batch. A batch is acked only after its
 * transaction committed; when it fails the batch is requeued and comes back. The message id is
 * the primary key and a row already there is skipped, so a redelivered message is stored once.
 *
 *   node dist/examples/etl-postgres.js [url]    # default memory://etl-postgres
 *
 * PostgreSQL is reached through the usual PG* variables (default 127.0.0.1:5432, user postgres,
 * database test). On memory:// the example publishes demo events itself and stops once they are
 * stored; on a real broker it runs until Ctrl-C.
 */
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { connect, notifier, type IncomingNotification } from '../lib/index.js';
import { batchAcknowledge } from '../operators/index.js';
import { instanceEvents, toRecord, type InstanceRecord } from './etl-source.js';
import { demoEventCount, publishDemoEvents } from './notifier.js';
import { onShutdown } from './on-shutdown.js';

const COLUMNS: readonly (keyof InstanceRecord)[] = ['message_id', 'event_type', 'publisher_id', 'priority', 'occurred_at', 'instance_id', 'state', 'project_id', 'user_id'];

/** Creates the table rows go to, unless it exists. */
export async function createTable(db: pg.Pool, table: string): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${pg.escapeIdentifier(table)} (
    message_id uuid PRIMARY KEY,
    event_type text NOT NULL,
    publisher_id text NOT NULL,
    priority text NOT NULL,
    occurred_at timestamptz NOT NULL,
    instance_id text,
    state text,
    project_id text,
    user_id text
  )`);
}

/** Inserts a batch in one transaction: all its rows are stored, or none. (A batch may hold up to 7 281 rows: 9 parameters each.) */
export function postgresSink(db: pg.Pool, table: string): (batch: readonly IncomingNotification[]) => Promise<void> {
  const into = `INSERT INTO ${pg.escapeIdentifier(table)} (${COLUMNS.join(', ')}) VALUES `;
  return async (batch) => {
    const records = batch.map(toRecord);
    const values = records.flatMap((record) => COLUMNS.map((column) => record[column]));
    const rows = records.map((_, r) => `(${COLUMNS.map((_c, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`);
    const client = await db.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      await client.query(`${into}${rows.join(', ')} ON CONFLICT (message_id) DO NOTHING`, values);
      await client.query('COMMIT');
    } catch (error) {
      // A rollback that fails means a broken connection: the pool drops it; the insert's error is the one reported.
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      client.release(broken);
    }
  };
}

async function main(url: string): Promise<void> {
  const db = new pg.Pool({ host: process.env['PGHOST'] ?? '127.0.0.1', user: process.env['PGUSER'] ?? 'postgres', database: process.env['PGDATABASE'] ?? 'test' });
  const table = 'instance_events';
  await createTable(db, table);
  const transport = await connect(url);
  const demo = url.startsWith('memory:');
  const expected = demo ? demoEventCount(3) - 3 : Infinity;
  let stored = 0;
  console.log(`transport: ${url}; storing into table ${table}`);
  const subscription = instanceEvents(transport)
    .pipe(batchAcknowledge({ size: 100, timeout: 1_000, sink: postgresSink(db, table) }))
    .subscribe({
      next: ({ outcome, batch, error }) => {
        if (outcome === 'acked') stored += batch.length;
        console.log(outcome === 'acked' ? `  committed and acked ${batch.length}` : `  insert failed (${String(error)}); ${batch.length} requeued`);
        if (stored >= expected) void stop();
      },
      error: (error: unknown) => {
        console.error('the pipeline failed:', error);
        void stop();
      },
    });
  const stop = async () => {
    subscription.unsubscribe();
    await transport.close();
    await db.end();
  };
  onShutdown(stop);
  if (demo) await publishDemoEvents(notifier(transport, { publisherId: 'compute.demo' }), 3);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv[2] ?? 'memory://etl-postgres');
