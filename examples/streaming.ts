/**
 * A streaming reply: the handler returns an Observable and the client's `call$` receives each
 * value as the server emits it; `call` would resolve to the last one.
 */
import { interval, map, take } from 'rxjs';
import { connect, rpcClient, rpcServer, target } from '../lib/index.js';

const transport = await connect(process.argv[2] ?? 'memory://streaming');
const server = rpcServer(transport, target({ topic: 'logs', server: 'host-1' }), [
  {
    tail: ({ lines }: { lines: number }) =>
      interval(50).pipe(
        take(lines),
        map((i) => `line ${i + 1} at ${new Date().toISOString()}`),
      ),
  },
]);
await server.start();

const logs = rpcClient(transport, target({ topic: 'logs' }), { timeout: 10_000, callMonitorTimeout: 5_000 });
await new Promise<void>((resolve, reject) => logs.call$('tail', { lines: 5 }).subscribe({ next: (line) => console.log('received', line), error: reject, complete: resolve }));
console.log('stream complete');

await server.stop();
await transport.close();
