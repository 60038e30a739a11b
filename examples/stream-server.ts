/**
 * A server written by hand as a stream pipeline, with no `rpcServer`: the listener is an
 * Observable of incoming calls, the dispatcher an operator, and what comes out is up to you,
 * here a running count of outcomes per method.
 */
import { filter, scan } from 'rxjs';
import { connect, microtaskExecutor, rpcClient, target } from '../lib/index.js';
import { dispatch } from '../operators/index.js';

const transport = await connect(process.argv[2] ?? 'memory://stream-server');
const calculator = {
  add: ({ a, b }: { a: number; b: number }) => a + b,
  divide: ({ a, b }: { a: number; b: number }) => {
    if (b === 0) throw new RangeError('division by zero');
    return a / b;
  },
};

let ready!: () => void;
const listening = new Promise<void>((resolve) => (ready = resolve));
const subscription = transport
  .listen(target({ topic: 'calc', server: 'pipeline' }), { onReady: () => ready() })
  .pipe(
    filter((incoming) => incoming.method !== 'debug'), // requests can be shaped before dispatch too
    dispatch([calculator], { executor: microtaskExecutor({ concurrency: 8 }), expectedErrors: [RangeError] }),
    scan((counts: Record<string, number>, { incoming, error }) => {
      const key = `${incoming.method} ${error ? 'failed' : 'ok'}`;
      return { ...counts, [key]: (counts[key] ?? 0) + 1 };
    }, {}),
  )
  .subscribe((counts) => console.log('outcomes so far:', counts));
await listening;

const calc = rpcClient(transport, target({ topic: 'calc' }), { timeout: 5_000 });
console.log('add →', await calc.call('add', { a: 2, b: 3 }));
console.log('divide →', await calc.call('divide', { a: 1, b: 4 }));
console.log('divide by zero →', await calc.call('divide', { a: 1, b: 0 }).catch((error: Error) => `${error.name}: ${error.message}`));

subscription.unsubscribe();
await transport.close();
