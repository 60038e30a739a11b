/**
 * Calls that cancel on the server. A streamed call the caller stops reading, and a call whose
 * caller aborts it, both stop their handler: the Observable handler is unsubscribed, the Promise
 * handler sees its signal abort.
 *
 *   node dist/examples/cancellation.js [url]
 */
import { finalize, firstValueFrom, interval, map, take, tap, toArray } from 'rxjs';
import { connect, rpcClient, rpcServer, target, type CallSignal } from '../lib/index.js';

const url = process.argv[2] ?? 'memory://cancellation-example';
const transport = await connect(url);

let reported!: (line: string) => void;
const handlerEnded = () => new Promise<string>((resolve) => (reported = resolve));

const server = rpcServer(transport, target({ topic: 'logs', server: 'host-1' }), [
  {
    // A stream that would go on for ever: the caller decides when it has read enough.
    follow: () =>
      interval(20).pipe(
        map((n) => `line ${n + 1}`),
        finalize(() => reported('follow: unsubscribed on the server')),
      ),
    // Long work that heeds its signal, as fetch() or a database driver would.
    export_all: (_args: object, _context: object, { signal }: CallSignal) =>
      new Promise((resolve, reject) => {
        const work = setTimeout(resolve, 60_000, 'exported');
        signal.addEventListener('abort', () => {
          clearTimeout(work);
          reported(`export_all: aborted on the server (${(signal.reason as Error).name})`);
          reject(signal.reason);
        });
      }),
  },
]);
await server.start();
const client = rpcClient(transport, target({ topic: 'logs' }), { timeout: 30_000 });

// Read three lines, then stop: take(3) unsubscribes, and the cancel reaches the handler.
let ended = handlerEnded();
const lines = await firstValueFrom(
  client.call$('follow').pipe(
    take(3),
    tap((line) => console.log('read', line)),
    toArray(),
  ),
);
console.log(`read ${lines.length} lines, then stopped reading`);
console.log(await ended);

// Abort a call in flight: the promise rejects with the signal's reason, the handler's signal aborts.
ended = handlerEnded();
const controller = new AbortController();
const exported = client.call('export_all', {}, {}, { signal: controller.signal }).catch((error: Error) => `the call rejected: ${error.name}`);
setTimeout(() => controller.abort(), 100);
console.log(await exported);
console.log(await ended);

await server.stop();
await transport.close();
