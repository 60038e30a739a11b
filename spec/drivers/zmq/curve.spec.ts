import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { curveKeyPair } from 'zeromq';
import { MessageDeliveryFailure } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { connect, rpcClient, rpcServer, target, type Transport } from '../../../lib/index.js';

const serverKeys = curveKeyPair();
const listed = curveKeyPair();
const stranger = curveKeyPair();

const Curve = suite<{ transports: Transport[]; name: string; topic: string }>('zmq driver with CURVE keys (public API, real sockets on loopback)', {
  transports: [],
  name: '',
  topic: '',
});

Curve.before.each((context) => {
  context.transports = [];
  context.name = `curve-${hexId()}`;
  context.topic = `t-${hexId()}`;
});

Curve.after.each(async (context) => {
  await Promise.all(context.transports.map((transport) => transport.close()));
});

const q = (options: Record<string, string>) =>
  Object.entries(options)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&');

/** A CURVE server admitting `listed` only, its keys in the URL query; resolves once it serves. */
async function startServer(context: { transports: Transport[]; name: string; topic: string }): Promise<void> {
  const transport = await connect(
    `zmq://${context.name}?${q({ zmq_curve_server_public_key: serverKeys.publicKey, zmq_curve_server_secret_key: serverKeys.secretKey, zmq_curve_allowed_clients: listed.publicKey })}`,
  );
  context.transports.push(transport);
  const server = rpcServer(transport, target({ topic: context.topic, server: 'host-1' }), [{ echo: ({ text }: { text: string }) => text }]);
  await server.start();
  context.transports.unshift({ close: () => server.stop() } as Transport);
}

async function client(context: { transports: Transport[]; name: string; topic: string }, driverOptions: Record<string, unknown>) {
  const transport = await connect(`zmq://${context.name}`, { driverOptions });
  context.transports.unshift(transport);
  return rpcClient(transport, target({ topic: context.topic }), { timeout: 5_000 });
}

Curve('should answer the calls of a client whose key the server admits', async (context) => {
  await startServer(context);
  const rpc = await client(context, { zmq_curve_server_public_key: serverKeys.publicKey, zmq_curve_public_key: listed.publicKey, zmq_curve_secret_key: listed.secretKey });
  assert.is(await rpc.call('echo', { text: 'over CURVE' }), 'over CURVE');
});

Curve("should fail a call of a stranger's key with MessageDeliveryFailure naming the refusal", async (context) => {
  await startServer(context);
  const rpc = await client(context, { zmq_curve_server_public_key: serverKeys.publicKey, zmq_curve_public_key: stranger.publicKey, zmq_curve_secret_key: stranger.secretKey });
  const error = await rpc.call('echo', { text: 'let me in' }).catch((e: unknown) => e);
  assert.instance(error, MessageDeliveryFailure);
  assert.match((error as Error).message, /refused this client.*CURVE key \(ZAP status 400\)/);
});

Curve('should refuse a plaintext client: its call fails with MessageDeliveryFailure', async (context) => {
  await startServer(context);
  const rpc = await client(context, {});
  const error = await rpc
    .prepare({ timeout: 1_000 })
    .call('echo', { text: 'in the clear' })
    .catch((e: unknown) => e);
  assert.instance(error, MessageDeliveryFailure);
  assert.match((error as Error).message, /refused this client: .*the handshake failed/);
});

Curve('should read the keys from zmq_curve_keys_file, and admit any CURVE client without an allow-list', async (context) => {
  const dir = await mkdtemp(join(tmpdir(), 'rxm-curve-'));
  try {
    const file = join(dir, 'server.keys');
    await writeFile(file, `ZMQ_CURVE_SERVER_PUBLIC_KEY=${serverKeys.publicKey}\nZMQ_CURVE_SERVER_SECRET_KEY=${serverKeys.secretKey}\n`);
    const transport = await connect(`zmq://${context.name}?zmq_curve_keys_file=${encodeURIComponent(file)}`);
    context.transports.push(transport);
    const server = rpcServer(transport, target({ topic: context.topic, server: 'host-1' }), [{ echo: ({ text }: { text: string }) => text }]);
    await server.start();
    context.transports.unshift({ close: () => server.stop() } as Transport);
    // Only the server's public key: the client makes a pair of its own.
    const rpc = await client(context, { zmq_curve_server_public_key: serverKeys.publicKey });
    assert.is(await rpc.call('echo', { text: 'encrypted, not screened' }), 'encrypted, not screened');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Curve.run();
