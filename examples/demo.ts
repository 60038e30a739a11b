/**
 * The main demo: two servers of a `compute` service and a client, on the in-memory transport
 * (or any URL given as the first argument). Calls, a streamed call, casts, a server-targeted
 * call, a fanout and a remote error, printed as they happen.
 *
 *   npm run demo                      # memory://
 *   npm run demo -- rabbit://guest:guest@127.0.0.1:5672/
 */
import { toArray, interval, map, take, lastValueFrom } from 'rxjs';
import { connect, RemoteError, rpcClient, rpcServer, target, type Context } from '../lib/index.js';

const url = process.argv[2] ?? 'memory://demo';

/** What each compute server offers; `host` says which server answered. */
function computeEndpoint(host: string) {
  return {
    get_host: (args: { id: number }) => ({ id: args.id, host, state: 'active' }),
    whoami: (_args: object, context: Context) => `${context['user_id']} on ${host}`,
    reboot: (args: { id: number }) => console.log(`  [${host}] reboot of instance ${args.id} requested`),
    refresh_cache: () => console.log(`  [${host}] cache refreshed (fanout)`),
    tail_log: (args: { lines: number }) =>
      interval(20).pipe(
        take(args.lines),
        map((i) => `${host} log line ${i + 1}`),
      ),
    resize: (args: { size: string }) => {
      throw new RangeError(`no flavor '${args.size}'`);
    },
  };
}

const transport = await connect(url);
console.log(`transport: ${url}`);
// RangeError is part of resize's contract: logged at debug, not as a server failure.
const servers = ['host-1', 'host-2'].map((host) => rpcServer(transport, target({ topic: 'compute', server: host }), [computeEndpoint(host)], { expectedErrors: [RangeError] }));
await Promise.all(servers.map((server) => server.start()));
console.log('servers host-1 and host-2 listening on topic "compute"');

const compute = rpcClient(transport, target({ topic: 'compute' }), { timeout: 5_000 });
const context = { user_id: 'alice', project_id: 'demo', request_id: 'req-1' };

for (const id of [1, 2]) console.log('call get_host →', await compute.call('get_host', { id }, context));
console.log('call whoami (context travels) →', await compute.call('whoami', {}, context));
console.log('call$ tail_log (streamed) →', await lastValueFrom(compute.prepare({ server: 'host-2' }).call$('tail_log', { lines: 3 }).pipe(toArray())));

console.log('cast reboot to host-1:');
await compute.prepare({ server: 'host-1' }).cast('reboot', { id: 7 });
console.log('fanout cast refresh_cache to every server:');
await compute.prepare({ fanout: true }).cast('refresh_cache');
await compute.call('whoami', {}, context); // the casts were sent before this call: wait for it, so they print first

try {
  await compute.call('resize', { size: 'xxl' });
} catch (error) {
  console.log('call resize → remote error:', error instanceof RangeError ? `${error.name}: ${error.message}` : error instanceof RemoteError ? error.message : error);
}

await Promise.all(servers.map((server) => server.stop()));
await transport.close();
console.log('done');
