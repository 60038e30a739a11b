/**
 * What a real oslo.messaging 14 caller (spec/interop/peer.py) sees of each JavaScript built-in
 * error a TypeScript handler throws: the Python built-in that means the same, rebuilt without an
 * allow-list (a failed rebuild would show as RemoteError), and what a TypeScript caller of the
 * same server sees: the JavaScript class itself.
 */
import { randomBytes } from 'node:crypto';
import * as assert from 'uvu/assert';
import { connect, RemoteError, rpcClient, rpcServer, setLogSink, target, type RpcServer, type Transport } from '../../lib/index.js';
import { amqpUrlWith, serviceSuite } from '../helpers/services.js';
import { rawBroker, type RawBroker } from '../drivers/amqp/support.js';
import { PeerCommandFailed, startPeer, type PeerErrorInfo, type PythonPeer } from './peer.js';

interface Context {
  peer: PythonPeer;
  broker: RawBroker;
  transport: Transport;
  server: RpcServer;
  topic: string;
  restoreLog: () => void;
}

const Errors = await serviceSuite<Context>('interop: JavaScript errors seen by oslo.messaging', ['rabbitmq', 'oslo'], {} as Context);

/** Each JavaScript built-in, and the Python class an oslo caller gets for it. */
const MAPPED: Record<string, { make: (message: string) => Error; python: string }> = {
  Error: { make: (m) => new Error(m), python: 'Exception' },
  TypeError: { make: (m) => new TypeError(m), python: 'TypeError' },
  RangeError: { make: (m) => new RangeError(m), python: 'ValueError' },
  SyntaxError: { make: (m) => new SyntaxError(m), python: 'ValueError' },
  ReferenceError: { make: (m) => new ReferenceError(m), python: 'NameError' },
  EvalError: { make: (m) => new EvalError(m), python: 'Exception' },
  URIError: { make: (m) => new URIError(m), python: 'ValueError' },
  AggregateError: { make: (m) => new AggregateError([new Error('inner')], m), python: 'Exception' },
};

Errors.before(async (context) => {
  // The server logs every failed call; these fail on purpose.
  context.restoreLog = setLogSink(() => undefined);
  context.peer = await startPeer();
  context.broker = await rawBroker();
  context.topic = `errors_${randomBytes(6).toString('hex')}`;
  context.transport = await connect(amqpUrlWith('rabbit_transient_queues_ttl=60'));
  context.server = rpcServer(context.transport, target({ topic: context.topic, server: 'ts' }), [
    {
      fail: ({ kind }: { kind: string }) => {
        // A field of its own, as Node's system errors have (code): it must not break Python's rebuild.
        throw Object.assign(MAPPED[kind]!.make(`${kind} from TypeScript`), { code: 'E_SPEC' });
      },
      failWith: ({ name }: { name: string }) => {
        const error = new Error('renamed');
        error.name = name;
        throw error;
      },
      throwText: () => {
        throw 'just text';
      },
    },
  ]);
  await context.server.start();
});

Errors.after(async ({ peer, broker, server, transport, topic, restoreLog }) => {
  restoreLog();
  await server.stop();
  await transport.close();
  await peer.close();
  await broker.deleteQueues(topic, `${topic}.ts`);
  await broker.close();
});

async function pythonSees(peer: PythonPeer, topic: string, method: string, args: Record<string, unknown>): Promise<PeerErrorInfo> {
  try {
    await peer.request('call', { topic, method, args, timeout: 30 });
  } catch (error) {
    if (error instanceof PeerCommandFailed) return error.error;
    throw error;
  }
  throw new Error(`expected the Python call of ${method} to raise`);
}

Errors('should give a Python caller the Python built-in for each JavaScript built-in, rebuilt, with the message', async ({ peer, topic }) => {
  for (const [kind, { python }] of Object.entries(MAPPED)) {
    const seen = await pythonSees(peer, topic, 'fail', { kind });
    assert.is(seen.class, python, `${kind} arrives as ${python}, not RemoteError (${seen.exc_type ?? ''})`);
    assert.is(seen.module, 'builtins');
    assert.match(seen.message, `${kind} from TypeScript`);
  }
});

Errors('should give a Python caller RemoteError, without a failed rebuild, for an Error renamed to a class builtins lacks', async ({ peer, topic }) => {
  const seen = await pythonSees(peer, topic, 'failWith', { name: 'ValidationError' });
  assert.is(seen.class, 'RemoteError');
  assert.is(seen.exc_type, 'ValidationError');
  assert.is(seen.value, 'renamed');
});

Errors('should give a Python caller Exception for a thrown non-Error', async ({ peer, topic }) => {
  const seen = await pythonSees(peer, topic, 'throwText', {});
  assert.is(seen.class, 'Exception');
  assert.match(seen.message, 'just text');
});

Errors('should still rebuild the JavaScript class itself, with its fields, for a TypeScript caller of the same server', async ({ transport, topic }) => {
  const client = rpcClient(transport, target({ topic, server: 'ts' }), { timeout: 30_000 });
  for (const [kind, { make }] of Object.entries(MAPPED)) {
    const error = await client.call('fail', { kind }).catch((e: unknown) => e);
    assert.is((error as Error).constructor, make('').constructor, kind);
    assert.is((error as Error).name, kind);
    assert.is((error as Error).message, `${kind} from TypeScript`);
    assert.is((error as { code?: string }).code, 'E_SPEC');
  }
  assert.instance(await client.call('failWith', { name: 'ValidationError' }).catch((e: unknown) => e), RemoteError);
});

Errors.run();
