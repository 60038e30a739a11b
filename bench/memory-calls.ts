/**
 * The core RPC path alone on memory://: one process, one server (`microtaskExecutor`), callers
 * each awaiting their next `call('info', { message })` as soon as the last one returned. No meter,
 * no simulator: what it prints (calls/s, and CPU time a call) is what the client, the server and the
 * memory driver cost.
 *
 *   npm run build && node dist/bench/memory-calls.js [--callers 50] [--calls 100000] [--size 100] [--concurrency 64]
 *
 * Run it alternately against two builds (a copy of the older dist elsewhere) to compare them.
 */
import { parseArgs } from 'node:util';
import { connect, microtaskExecutor, rpcClient, rpcServer, target } from '../lib/index.js';

const { values } = parseArgs({
  options: {
    callers: { type: 'string', default: '50' },
    calls: { type: 'string', default: '100000' },
    size: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '64' },
  },
});
const callers = Number(values.callers);
const calls = Number(values.calls);
const message = 'x'.repeat(Number(values.size));

const transport = await connect(`memory://memory-calls-${process.pid}`);
const server = rpcServer(transport, target({ topic: 'bench', server: 'one' }), [{ info: ({ message }: { message: string }) => message }], {
  executor: microtaskExecutor({ concurrency: Number(values.concurrency) }),
});
await server.start();
const client = rpcClient(transport, target({ topic: 'bench' }));

let left = calls;
const caller = async () => {
  while (left-- > 0) if ((await client.call('info', { message })) !== message) throw new Error('the reply is not the message sent');
};
const began = performance.now();
const cpu = process.cpuUsage();
await Promise.all(Array.from({ length: callers }, caller));
const seconds = (performance.now() - began) / 1000;
const { user, system } = process.cpuUsage(cpu);
// CPU time per call moves less than calls/s when other processes share the cores.
console.log(
  `${Math.round(calls / seconds)} calls/s, ${((user + system) / calls).toFixed(1)} µs CPU a call (${calls} calls, ${callers} callers, ${message.length} B, ${seconds.toFixed(2)} s)`,
);

await server.stop();
await transport.close();
