/**
 * An RPC server in its own process: serves `compute` as server `host-1` until Ctrl-C or
 * SIGTERM, then drains the calls in flight. Pair it with examples/rpc-client.ts over a broker:
 *
 *   node dist/examples/rpc-server.js rabbit://guest:guest@127.0.0.1:5672/
 *   node dist/examples/rpc-client.js rabbit://guest:guest@127.0.0.1:5672/
 */
import { connect, rpcServer, target, microtaskExecutor, type Context } from '../lib/index.js';
import { onShutdown } from './on-shutdown.js';

const url = process.argv[2] ?? 'rabbit://guest:guest@127.0.0.1:5672/';
const host = process.argv[3] ?? 'host-1';

export const computeEndpoint = {
  target: { version: '1.2' },
  get_host: ({ id }: { id: number }) => ({ id, host, state: 'active' }),
  whoami: (_args: object, context: Context) => ({ user: context['user_id'], host }),
  reboot: ({ id }: { id: number }) => console.log(`reboot of instance ${id} requested`),
};

const transport = await connect(url);
const server = rpcServer(transport, target({ topic: 'compute', server: host }), [computeEndpoint], { executor: microtaskExecutor({ concurrency: 64 }) });
onShutdown(async () => {
  await server.stop();
  await transport.close();
  console.log('stopped');
});
await server.start();
console.log(`serving topic 'compute' as '${host}' on ${url}; Ctrl-C stops`);
