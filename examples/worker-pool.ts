/**
 * CPU-bound handlers in worker threads: while two workers count primes, a third answers pings
 * and the main thread keeps heartbeating to the callers, whose `callMonitorTimeout` is far
 * shorter than the work. (Every handler runs in the pool: a call waiting for a free worker is
 * not heartbeated yet, so size the pool for the work you expect.)
 */
import { connect, rpcClient, rpcServer, target, workerPoolExecutor } from '../lib/index.js';
import { endpoints } from './cpu-endpoints.js';

const transport = await connect(process.argv[2] ?? 'memory://worker-pool');
const executor = workerPoolExecutor({ size: 3, module: new URL('./cpu-endpoints.js', import.meta.url) });
// The server selects endpoints by index in this same array; the workers run the handlers.
const server = rpcServer(transport, target({ topic: 'math', server: 'host-1' }), endpoints, { executor });
await server.start();

const math = rpcClient(transport, target({ topic: 'math' }), { timeout: 120_000, callMonitorTimeout: 1_000 });
const started = Date.now();
const heavy = [math.call('primes', { below: 3_000_000 }), math.call('primes', { below: 3_000_000 })];
// The third worker starts on the first ping, and a call waiting for it is not heartbeated yet: pings allow for that start.
const ping = math.prepare({ timeout: 60_000, callMonitorTimeout: 10_000 });
let pings = 0;
let failures = 0;
const pinger = setInterval(
  () =>
    void ping.call('ping').then(
      () => pings++,
      () => failures++,
    ),
  100,
);
const counts = await Promise.all(heavy);
clearInterval(pinger);
console.log(`primes below 3,000,000: ${counts.join(' and ')} (${((Date.now() - started) / 1000).toFixed(1)} s in 2 workers)`);
console.log(`meanwhile ${pings} pings were answered (${failures} failed) and heartbeats kept both callers alive`);

await server.stop();
await executor.close();
await transport.close();
