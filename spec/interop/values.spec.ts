/**
 * Values between rx-messaging and a real oslo.messaging 14 process (spec/interop/peer.py): what
 * each side receives of the other's datetimes and date-like strings. The wire passes every
 * string on as it is, both ways; only a `datetimeSerializer` the user chose revives datetimes.
 */
import { randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import { connect, datetimeSerializer, OsloDatetime, rpcClient, rpcServer, target, type RpcServer, type Serializer, type Transport } from '../../lib/index.js';
import { amqpUrlWith, serviceSuite } from '../helpers/services.js';
import { rawBroker, type RawBroker } from '../drivers/amqp/support.js';
import { startPeer, type PythonPeer } from './peer.js';

interface Context {
  peer: PythonPeer;
  broker: RawBroker;
  transports: Transport[];
  servers: RpcServer[];
  queues: string[];
  /** The peer's servers, stopped before their queues are deleted (a running one would declare them again). */
  pythonServers: string[];
}

const Values = await serviceSuite<Context>('interop: values with oslo.messaging', ['rabbitmq', 'oslo'], {} as Context);

/** A Python datetime with microseconds, on a leap day, as oslo writes it. */
const LEAP = '2024-02-29T23:59:58.123456';
/** A plain string that only looks like a datetime. */
const DATE_LIKE = '2024-01-01T00:00:00';

Values.before(async (context) => {
  context.peer = await startPeer();
  context.broker = await rawBroker();
});

Values.after(async ({ peer, broker }) => {
  await peer.close();
  await broker.close();
});

Values.before.each((context) => {
  context.transports = [];
  context.servers = [];
  context.queues = [];
  context.pythonServers = [];
});

Values.after.each(async ({ peer, transports, servers, queues, pythonServers, broker }) => {
  await Promise.all(servers.map((server) => server.stop()));
  for (const handle of pythonServers) await peer.request('stop', { handle });
  await Promise.all(transports.map((transport) => transport.close()));
  await broker.deleteQueues(...queues);
});

async function open(context: Context): Promise<Transport> {
  const transport = await connect(amqpUrlWith('rabbit_transient_queues_ttl=60'));
  context.transports.push(transport);
  return transport;
}

function topicFor(context: Context): string {
  const topic = `values_${randomBytes(6).toString('hex')}`;
  context.queues.push(topic, `${topic}.ts`, `${topic}.py`);
  return topic;
}

/** A TypeScript echo server recording what its handler was given. */
async function serveTs(context: Context, topic: string, seen: unknown[], serializer?: Serializer): Promise<void> {
  const server = rpcServer(
    await open(context),
    target({ topic, server: 'ts' }),
    [{ echo: (args: Record<string, unknown>) => (seen.push(args['value']), args['value']) }],
    serializer ? { serializer } : {},
  );
  context.servers.push(server);
  await server.start();
}

async function servePython(context: Context, topic: string): Promise<void> {
  await context.peer.request('serve', { handle: `${topic}.py`, topic, server: 'py' });
  context.pythonServers.push(`${topic}.py`);
}

// --- Python client -> TypeScript server

Values('should hand a Python datetime to a TypeScript handler as its text, and Python should get that text back to the microsecond', async (context) => {
  const topic = topicFor(context);
  const seen: unknown[] = [];
  await serveTs(context, topic, seen);
  const answer = await context.peer.request<{ result: unknown; result_type: string }>('call', { topic, method: 'echo', args: { value: LEAP }, datetimes: ['value'], timeout: 30 });
  assert.equal(seen, [LEAP]);
  assert.is(answer.result, LEAP);
  assert.is(answer.result_type, 'str', 'oslo does not turn the text back into a datetime either');
});

Values('should hand a Python datetime to a handler with datetimeSerializer as an OsloDatetime keeping its microseconds, echoed back unchanged', async (context) => {
  const topic = topicFor(context);
  const seen: unknown[] = [];
  await serveTs(context, topic, seen, datetimeSerializer());
  const answer = await context.peer.request<{ result: unknown }>('call', { topic, method: 'echo', args: { value: LEAP }, datetimes: ['value'], timeout: 30 });
  assert.instance(seen[0], OsloDatetime);
  assert.is((seen[0] as OsloDatetime).microsecond, 123_456);
  assert.is((seen[0] as OsloDatetime).toDate().toISOString(), '2024-02-29T23:59:58.123Z');
  assert.is(answer.result, LEAP);
});

Values('should hand a Python date-like string to a TypeScript handler as the string, and give it back untouched', async (context) => {
  const topic = topicFor(context);
  const seen: unknown[] = [];
  await serveTs(context, topic, seen);
  const answer = await context.peer.request<{ result: unknown; result_type: string }>('call', { topic, method: 'echo', args: { value: DATE_LIKE }, timeout: 30 });
  assert.equal(seen, [DATE_LIKE]);
  assert.is(answer.result, DATE_LIKE);
  assert.is(answer.result_type, 'str');
});

// --- TypeScript client -> Python server

Values('should send a Python server an OsloDatetime and a date-like string as the strings they are, and get them back unchanged', async (context) => {
  const topic = topicFor(context);
  await servePython(context, topic);
  const client = rpcClient(await open(context), target({ topic, server: 'py' }), { timeout: 30_000 });
  const sent = { datetime: OsloDatetime.parse(LEAP), text: DATE_LIKE, date: new Date(Date.UTC(2024, 1, 29, 23, 59, 58, 123)) };
  assert.equal(await client.call('types', sent), { datetime: 'str', text: 'str', date: 'str' });
  const echoed = (await client.call('echo', sent)) as { args: Record<string, unknown> };
  assert.equal(echoed.args, { datetime: LEAP, text: DATE_LIKE, date: '2024-02-29T23:59:58.123000' });
});

Values('should revive what a Python server returns only with datetimeSerializer: OsloDatetime, or Date with { as: "date" }', async (context) => {
  const topic = topicFor(context);
  await servePython(context, topic);
  const transport = await open(context);
  const args = { when: LEAP };
  const plain = (await rpcClient(transport, target({ topic, server: 'py' }), { timeout: 30_000 }).call('echo', args)) as { args: { when: unknown } };
  assert.is(plain.args.when, LEAP);
  const revived = (await rpcClient(transport, target({ topic, server: 'py' }), { timeout: 30_000, serializer: datetimeSerializer() }).call('echo', args)) as {
    args: { when: unknown };
  };
  assert.instance(revived.args.when, OsloDatetime);
  assert.is(String(revived.args.when), LEAP);
  const dated = (await rpcClient(transport, target({ topic, server: 'py' }), { timeout: 30_000, serializer: datetimeSerializer({ as: 'date' }) }).call('echo', args)) as {
    args: { when: unknown };
  };
  assert.equal(dated.args.when, new Date('2024-02-29T23:59:58.123Z'));
});

Values.run();
