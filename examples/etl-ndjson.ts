/**
 * An ETL pipeline into a file: instance lifecycle notifications are filtered, turned into flat
 * records and appended in batches to a file of newline-delimited JSON. A batch is acked only
 * once its lines are written and synced to disk; when the write fails the batch is requeued, so
 * the broker hands it out again and nothing is lost.
 *
 *   node dist/examples/etl-ndjson.js [url] [file]   # default memory://etl and ./instance-events.ndjson
 *
 * On memory:// the example publishes demo events itself and stops once they are written; on a
 * real broker it runs until Ctrl-C (run examples/notifier.ts against the same URL).
 */
import { open } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { connect, notifier, type IncomingNotification } from '../lib/index.js';
import { batchAcknowledge } from '../operators/index.js';
import { instanceEvents, toRecord } from './etl-source.js';
import { demoEventCount, publishDemoEvents } from './notifier.js';
import { onShutdown } from './on-shutdown.js';

/** Appends one line per notification and syncs, so an ack never runs ahead of the disk. */
export function ndjsonSink(path: string): (batch: readonly IncomingNotification[]) => Promise<void> {
  return async (batch) => {
    const file = await open(path, 'a');
    try {
      await file.write(batch.map((n) => `${JSON.stringify(toRecord(n))}\n`).join(''));
      await file.datasync();
    } finally {
      await file.close();
    }
  };
}

async function main(url: string, path: string): Promise<void> {
  const transport = await connect(url);
  const demo = url.startsWith('memory:');
  // The instance events of the demo: every one but the cpu samples.
  const expected = demo ? demoEventCount(3) - 3 : Infinity;
  let written = 0;
  console.log(`transport: ${url}; writing to ${path}`);
  const subscription = instanceEvents(transport)
    .pipe(batchAcknowledge({ size: 100, timeout: 1_000, sink: ndjsonSink(path) }))
    .subscribe({
      next: ({ outcome, batch, error }) => {
        if (outcome === 'acked') written += batch.length;
        console.log(outcome === 'acked' ? `  wrote and acked ${batch.length}` : `  write failed (${String(error)}); ${batch.length} requeued`);
        if (written >= expected) void stop();
      },
      error: (error: unknown) => {
        console.error('the pipeline failed:', error);
        void stop();
      },
    });
  const stop = async () => {
    subscription.unsubscribe();
    await transport.close();
  };
  onShutdown(stop);
  if (demo) await publishDemoEvents(notifier(transport, { publisherId: 'compute.demo' }), 3);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv[2] ?? 'memory://etl', process.argv[3] ?? 'instance-events.ndjson');
