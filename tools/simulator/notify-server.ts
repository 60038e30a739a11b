/**
 * `rxm simulator notify-server`: a notification listener on `--topic` measuring every
 * `compute.start` it receives, with its one-way latency. `--requeue` hands each message back
 * once before taking it, as oslo's simulator does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, microtaskExecutor, notificationListener, NotificationResult, target, type NotificationMetadata } from '../../lib/index.js';
import { oneWayMs, readMessage, SYNC_DONE } from './message.js';
import type { NotifyServerOptions } from './options.js';
import { aborted, type RoleHooks } from './role.js';

/** @internal */
export async function runNotifyServer(options: NotifyServerOptions, { meter, signal, onReady }: RoleHooks): Promise<void> {
  const transport = await connect(options.url);
  try {
    let synced = 0;
    let allSynced!: () => void;
    const synced$ = new Promise<void>((resolve) => (allSynced = resolve));
    /** Messages requeued once, waiting for their second delivery. */
    const requeued = new Set<string>();
    // A requeued message comes back after the sync_done sent behind it: stop once none is out.
    const stopIfSynced = () => options.clients > 0 && synced >= options.clients && requeued.size === 0 && allSynced();
    const endpoint = {
      info: async (_context: unknown, _publisherId: string, eventType: string, payload: unknown, metadata: NotificationMetadata) => {
        if (eventType === SYNC_DONE) {
          synced++;
          stopIfSynced();
          return NotificationResult.HANDLED;
        }
        if (options.requeue && !requeued.delete(metadata.message_id)) {
          requeued.add(metadata.message_id);
          return NotificationResult.REQUEUE;
        }
        let received;
        try {
          received = readMessage(payload);
        } catch (error) {
          meter.fail(error);
          stopIfSynced();
          throw error;
        }
        meter.record(oneWayMs(received), received[1].length);
        stopIfSynced();
        if (options.waitSeconds > 0) await sleep(options.waitSeconds * 1000);
        return NotificationResult.HANDLED;
      },
    };
    const listener = notificationListener(transport, [target({ topic: options.topic })], [endpoint], {
      executor: microtaskExecutor({ concurrency: options.executorSize }),
      allowRequeue: options.requeue,
      ...(options.pool !== undefined && { pool: options.pool }),
    });
    await listener.start();
    onReady?.();
    await Promise.race([synced$, aborted(signal)]);
    await listener.stop();
  } finally {
    await transport.close();
  }
}
