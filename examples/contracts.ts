/**
 * One contract for both ends: zod schemas (any Standard Schema library does) type the client and
 * the server and are checked at the server's boundary, so bad arguments never reach a handler.
 *
 *   npm install zod
 *   node dist/examples/contracts.js [url]
 */
import { z } from 'zod';
import { connect, contract, InvalidArguments, rpcClient, rpcServer, target } from '../lib/index.js';

const compute = contract({
  resize: {
    args: z.object({ id: z.number().int(), flavor: z.object({ vcpus: z.number().int().min(1), ram_mb: z.number().int() }) }),
    result: z.object({ id: z.number(), state: z.enum(['resizing', 'active']) }),
  },
});

const url = process.argv[2] ?? 'memory://contracts-example';
const transport = await connect(url);
const server = rpcServer(
  transport,
  target({ topic: 'compute', server: 'host-1' }),
  [
    // `id` and `flavor` are typed from the schema; returning another shape would not compile.
    {
      resize: ({ id, flavor }) => {
        console.log(`resizing ${id} to ${flavor.vcpus} vCPUs`);
        return { id, state: 'resizing' as const };
      },
    },
  ],
  { contract: compute },
);
await server.start();

const client = rpcClient(transport, target({ topic: 'compute' }), { contract: compute, timeout: 10_000 });
console.log('resize →', await client.call('resize', { id: 7, flavor: { vcpus: 4, ram_mb: 8192 } }));

// A raw client without the contract sends what it likes; the server refuses it before the handler runs.
const raw = rpcClient(transport, target({ topic: 'compute' }), { timeout: 10_000 });
const refused = await raw.call('resize', { id: 'seven', flavor: { vcpus: 0, ram_mb: 8192 } }).catch((error: unknown) => error);
if (refused instanceof InvalidArguments) for (const issue of refused.issues) console.log(`refused: ${issue.path || '(args)'}: ${issue.message}`);

await server.stop();
await transport.close();
