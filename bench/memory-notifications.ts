/**
 * The notification path alone on memory://: one process, a notifier's publishers each sending
 * their next `info` as soon as the last one was queued, and a listener (`microtaskExecutor`)
 * handling them. At most `--window` notifications wait in the queue, so what it prints (per second,
 * and CPU time a notification) is the notifier, the listener and the memory driver at a steady
 * state, not a backlog's garbage collection.
 *
 *   npm run build && node dist/bench/memory-notifications.js [--publishers 50] [--notifications 100000] [--size 100] [--window 1000]
 *
 * Run it alternately against two builds (a copy of the older dist elsewhere) to compare them.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { connect, notificationListener, notifier, target } from '../lib/index.js';

const { values } = parseArgs({
  options: {
    publishers: { type: 'string', default: '50' },
    notifications: { type: 'string', default: '100000' },
    size: { type: 'string', default: '100' },
    window: { type: 'string', default: '1000' },
  },
});
const publishers = Number(values.publishers);
const count = Number(values.notifications);
const window = Number(values.window);
const payload = { message: 'x'.repeat(Number(values.size)) };

const transport = await connect(`memory://memory-notifications-${process.pid}`);
let handled = 0;
let allHandled!: () => void;
let wrongPayload!: (error: Error) => void;
const done = new Promise<void>((resolve, reject) => {
  allHandled = resolve;
  wrongPayload = reject;
});
const listener = notificationListener(
  transport,
  [target({ topic: 'bench' })],
  [
    {
      info: (_context, _publisherId, _eventType, received: typeof payload) => {
        // A handler's throw is logged and acked by the listener: the run itself must fail.
        if (received.message !== payload.message) wrongPayload(new Error('the payload is not the one sent'));
        if (++handled === count) allHandled();
      },
    },
  ],
);
await listener.start();
const events = notifier(transport, { publisherId: 'bench', topics: ['bench'] });

let left = count;
let sent = 0;
const publisher = async () => {
  while (left-- > 0) {
    sent++;
    await events.info('bench.event', payload);
    while (sent - handled > window) await nextTurn();
  }
};
const began = performance.now();
const cpu = process.cpuUsage();
await Promise.all(Array.from({ length: publishers }, publisher));
await done;
const seconds = (performance.now() - began) / 1000;
const { user, system } = process.cpuUsage(cpu);
console.log(
  `${Math.round(count / seconds)} notifications/s, ${((user + system) / count).toFixed(1)} µs CPU a notification (${count} notifications, ${publishers} publishers, ${payload.message.length} B, ${seconds.toFixed(2)} s)`,
);

await listener.stop();
await transport.close();
