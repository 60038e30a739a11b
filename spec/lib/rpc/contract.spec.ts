import { lastValueFrom, of, tap, type Observable } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { hexId } from '../../../lib/core/ids.js';
import { connect, contract, InvalidArguments, InvalidResult, rpcClient, rpcServer, target, type RpcServer, type StandardSchemaV1, type Transport } from '../../../lib/index.js';
import { rejection, thrown } from '../../helpers/thrown.js';

const compute = contract({
  get_host: { args: z.object({ id: z.number().int(), flavor: z.object({ vcpus: z.number().min(1) }).optional() }), result: z.object({ host: z.string() }) },
  resize: { args: z.object({ id: z.number(), size: z.string().transform((size) => Number.parseInt(size, 10)) }) },
  tail: { args: z.object({ lines: z.number() }), result: z.string() },
});

const Contract = suite('contract', { transport: undefined as unknown as Transport, topic: '', server: undefined as RpcServer | undefined });
Contract.before.each(async (context) => {
  context.transport = await connect(`memory://contract-${hexId()}`);
  context.topic = `t-${hexId()}`;
});
Contract.after.each(async (context) => {
  await context.server?.stop();
  context.server = undefined;
  await context.transport.close();
});

Contract('should refuse invalid arguments before the handler runs, with InvalidArguments naming each path, rebuilt on the caller', async (context) => {
  const { transport, topic } = context;
  let ran = 0;
  context.server = rpcServer(transport, target({ topic, server: 's' }), [{ get_host: ({ id }) => (ran++, { host: `h${id}` }), resize: () => null, tail: () => 'x' }], {
    contract: compute,
  });
  await context.server.start();
  // An untyped client sends what it is given: the server's contract refuses it.
  const error = await rejection(rpcClient(transport, target({ topic })).call('get_host', { id: 'one', flavor: { vcpus: 0 } }), InvalidArguments);
  assert.is(ran, 0, 'the handler never ran');
  assert.equal(
    error.issues.map((issue) => issue.path),
    ['id', 'flavor.vcpus'],
  );
  assert.ok(error.issues.every((issue) => typeof issue.message === 'string' && issue.message.length > 0));
  assert.is(error.method, 'get_host');
  assert.match(error.message, /^Invalid arguments for get_host: id: .+; flavor\.vcpus: .+/);
  assert.equal(await rpcClient(transport, target({ topic })).call('get_host', { id: 2 }), { host: 'h2' });
});

Contract('should hand the handler what the args schema gives back', async (context) => {
  const { transport, topic } = context;
  const seen: unknown[] = [];
  context.server = rpcServer(
    transport,
    target({ topic, server: 's' }),
    [{ get_host: () => ({ host: 'h' }), resize: ({ id, size }) => (seen.push(size), id + size), tail: () => 'x' }],
    { contract: compute },
  );
  await context.server.start();
  const client = rpcClient(transport, target({ topic }), { contract: compute });
  assert.is(await client.call('resize', { id: 1, size: '41' }), 42);
  assert.equal(seen, [41], 'the transform ran on the server: the handler received a number');
});

Contract('should refuse a result that fails its schema with InvalidResult, for each value of a stream', async (context) => {
  const { transport, topic } = context;
  context.server = rpcServer(transport, target({ topic, server: 's' }), [{ get_host: () => ({ host: 7 }) as never, resize: () => null, tail: () => of('a', 'b', 3 as never) }], {
    contract: compute,
  });
  await context.server.start();
  const client = rpcClient(transport, target({ topic }), { contract: compute });
  const error = await rejection(client.call('get_host', { id: 1 }), InvalidResult);
  assert.equal(
    error.issues.map((issue) => issue.path),
    ['host'],
  );
  const values: string[] = [];
  const streamed = await rejection(lastValueFrom(client.call$('tail', { lines: 3 }).pipe(tap((value) => values.push(value)))), InvalidResult);
  assert.is(streamed.method, 'tail');
  assert.equal(values, ['a', 'b'], 'the values before the invalid one arrive');
});

Contract('should refuse invalid arguments on a client that has the contract, sending nothing', async (context) => {
  const { transport, topic } = context;
  let received = 0;
  context.server = rpcServer(transport, target({ topic, server: 's' }), [{ get_host: () => (received++, { host: 'h' }), resize: () => (received++, null), tail: () => 'x' }]);
  await context.server.start();
  const client = rpcClient(transport, target({ topic }), { contract: compute, timeout: 1_000 });
  const error = await rejection(client.call('get_host', { id: 1.5 }), InvalidArguments);
  assert.equal(
    error.issues.map((issue) => issue.path),
    ['id'],
  );
  await rejection(client.cast('resize', { id: 1, size: 2 as never }), InvalidArguments);
  await rejection(client.prepare({ timeout: 500 }).call('get_host', { id: 'x' as never }), InvalidArguments);
  assert.is(await client.call('get_host', { id: 1 }).then(() => received), 1, 'only the valid call reached the server');
});

Contract('should wait for a schema that validates asynchronously, at both ends', async (context) => {
  const { transport, topic } = context;
  const positive: StandardSchemaV1<{ n: number }> = {
    '~standard': {
      version: 1,
      vendor: 'spec',
      validate: async (value) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        const n = (value as { n?: unknown }).n;
        return typeof n === 'number' && n > 0 ? { value: { n } } : { issues: [{ message: 'must be positive', path: [{ key: 'n' }] }] };
      },
    },
  };
  const api = contract({ sqrt: { args: positive } });
  context.server = rpcServer(transport, target({ topic, server: 's' }), [{ sqrt: ({ n }) => Math.sqrt(n) }], { contract: api });
  await context.server.start();
  assert.is(await rpcClient(transport, target({ topic }), { contract: api }).call('sqrt', { n: 9 }), 3);
  const local = await rejection(rpcClient(transport, target({ topic }), { contract: api }).call('sqrt', { n: -1 }), InvalidArguments);
  const remote = await rejection(rpcClient(transport, target({ topic })).call('sqrt', { n: -1 }), InvalidArguments);
  assert.equal(local.issues, [{ path: 'n', message: 'must be positive' }]);
  assert.equal(remote.issues, [{ path: 'n', message: 'must be positive' }]);
});

Contract('should leave methods the contract does not name unchecked', async (context) => {
  const { transport, topic } = context;
  const endpoint = { get_host: () => ({ host: 'h' }), resize: () => null, tail: () => 'x', ping: (args: unknown) => args };
  context.server = rpcServer(transport, target({ topic, server: 's' }), [endpoint], { contract: compute });
  await context.server.start();
  assert.equal(await rpcClient(transport, target({ topic })).call('ping', { any: 'thing' }), { any: 'thing' });
});

Contract('should refuse a contract whose schemas are not Standard Schemas', () => {
  const error = thrown(() => contract({ get_host: { args: { parse: () => 1 } as never } }), TypeError);
  assert.match(error.message, /get_host: args is not a Standard Schema/);
});

Contract.run();

// --- types: both ends of a typed API, and of a contract.
interface ComputeApi {
  get_host(args: { id: number }): { id: number; host: string };
  tail_log(args: { lines: number }): Observable<string>;
}
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
declare const transport: Transport;
const tg = target({ topic: 'compute', server: 'h1' });
const tail_log = ({ lines }: { lines: number }) => of(`${lines}`);
export const typedServers = () => [
  rpcServer<ComputeApi>(transport, tg, [{ get_host: ({ id }) => ({ id, host: 'h' }), tail_log }]),
  rpcServer<ComputeApi>(transport, tg, [{ get_host: async ({ id }) => ({ id, host: 'h' }), tail_log, target: { version: '1.1' } }, { legacy_ping: () => 'pong' }]),
  // @ts-expect-error: a missing method
  rpcServer<ComputeApi>(transport, tg, [{ get_host: ({ id }) => ({ id, host: 'h' }) }]),
  // @ts-expect-error: a wrong argument type
  rpcServer<ComputeApi>(transport, tg, [{ get_host: (args: { id: string }) => ({ id: 1, host: args.id }), tail_log }]),
  // @ts-expect-error: a wrong result type
  rpcServer<ComputeApi>(transport, tg, [{ get_host: ({ id }) => ({ id, host: 1 }), tail_log }]),
  // @ts-expect-error: a wrong type of streamed value
  rpcServer<ComputeApi>(transport, tg, [{ get_host: ({ id }) => ({ id, host: 'h' }), tail_log: () => of(1) }]),
];
const contractedClient = () => rpcClient(transport, tg, { contract: compute });
declare const contracted: ReturnType<typeof contractedClient>;
const contractedCall = () => contracted.call('get_host', { id: 1 });
const contractedResize = () => contracted.call('resize', { id: 1, size: '2' });
export type ContractTypeChecks = [
  Expect<Equal<Awaited<ReturnType<typeof contractedCall>>, { host: string }>>,
  Expect<Equal<Awaited<ReturnType<typeof contractedResize>>, unknown>>,
];
export const contractedEnds = () => [
  // @ts-expect-error: a method the contract does not have
  contracted.call('reboot', {}),
  // @ts-expect-error: the client sends the schema's input (a string size), not its output
  contracted.call('resize', { id: 1, size: 2 }),
  rpcServer(transport, tg, [{ get_host: ({ id, flavor }) => ({ host: `${id}-${flavor?.vcpus}` }), resize: ({ size }) => size.toFixed(), tail: () => of('a') }], {
    contract: compute,
  }),
  // @ts-expect-error: the handler receives the schema's output (a number size)
  rpcServer(transport, tg, [{ get_host: () => ({ host: 'h' }), resize: ({ size }: { size: string }) => size, tail: () => 'a' }], { contract: compute }),
  // @ts-expect-error: a result the schema refuses
  rpcServer(transport, tg, [{ get_host: () => ({ host: 1 }), resize: () => null, tail: () => 'a' }], { contract: compute }),
  // @ts-expect-error: a missing method
  rpcServer(transport, tg, [{ get_host: () => ({ host: 'h' }), tail: () => 'a' }], { contract: compute }),
];
