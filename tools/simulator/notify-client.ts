/**
 * `rxm simulator notify-client`: `--concurrency` publishers sending `compute.start`
 * notifications at info priority; a message's latency is the time the transport took to accept it.
 */
import { connect, notifier } from '../../lib/index.js';
import { runLoad } from '../metering/load.js';
import { cargo, NOTIFY_EVENT, simulatorMessage, SYNC_DONE } from './message.js';
import { loadPacing, type NotifyClientOptions } from './options.js';
import type { RoleHooks } from './role.js';

/** @internal */
export async function runNotifyClient(options: NotifyClientOptions, { meter, signal }: RoleHooks): Promise<void> {
  const transport = await connect(options.url);
  try {
    const publisher = notifier(transport, { publisherId: `simulator-${process.pid}`, topics: [options.topic], raiseOnError: true });
    const text = cargo(options.size);
    await runLoad({
      ...loadPacing(options),
      meter,
      send: async (seq) => {
        await publisher.info(NOTIFY_EVENT, simulatorMessage(seq, text));
        return text.length;
      },
      ...(signal && { signal }),
    });
    if (options.sync) await publisher.info(SYNC_DONE, null);
  } finally {
    await transport.close();
  }
}
