import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { curveKeyPair, Dealer, Router, type EventOfType, type EventType } from 'zeromq';
import { InvalidCurveKey, MessagingError } from '../../../lib/core/errors.js';
import type { CurveUrlOptions } from '../../../drivers/zmq/options.js';
import {
  checkCurveOptions,
  curveClientOptions,
  curveFromUrlOptions,
  curveServerOptions,
  startZapHandler,
  z85Encode,
  ZAP_DOMAIN,
  type CurveOptions,
} from '../../../drivers/zmq/security.js';

/** The next event of `type` on a socket. */
function next<E extends EventType>(socket: Dealer | Router, type: E): Promise<EventOfType<E>> {
  return new Promise((resolve) => {
    const listener = (event: EventOfType<E>) => {
      socket.events.off(type, listener);
      resolve(event);
    };
    socket.events.on(type, listener);
  });
}

/** A CURVE server on loopback with an allow-list, and what it receives. */
async function curveServer(options: CurveOptions) {
  const server = new Router({ linger: 0, ...curveServerOptions(options) });
  await server.bind('tcp://127.0.0.1:*');
  const received: string[] = [];
  const arrivals: Array<() => void> = [];
  void (async () => {
    for await (const [, body] of server) {
      received.push(body!.toString());
      arrivals.shift()?.();
    }
  })().catch(() => undefined);
  return {
    server,
    endpoint: server.lastEndpoint!,
    received,
    /** Resolves when the next message arrives. */
    arrival: () => new Promise<void>((resolve) => arrivals.push(resolve)),
  };
}

/** A DEALER to connect once its events are watched: an event before the first look at `events` is not seen. */
function client(options: object): Dealer {
  return new Dealer({ linger: 0, ...options });
}

const serverKeys = curveKeyPair();
const listed = curveKeyPair();
const stranger = curveKeyPair();

const Curve = suite('ZeroMQ CURVE with a ZAP allow-list (real sockets on loopback)');

Curve("should deliver a listed client's message", async () => {
  const options = checkCurveOptions({ curveServerKeys: serverKeys, curveAllowedClients: [listed.publicKey] });
  const stop = await startZapHandler(options.curveAllowedClients!);
  const { server, endpoint, received, arrival } = await curveServer(options);
  const dealer = client(curveClientOptions({ ...options, curveClientKeys: listed }));
  try {
    const handshake = next(dealer, 'handshake');
    dealer.connect(endpoint);
    const arrived = arrival();
    await dealer.send('hello from a listed client');
    await Promise.all([handshake, arrived]);
    assert.equal(received, ['hello from a listed client']);
    assert.is(dealer.securityMechanism, 'curve');
  } finally {
    dealer.close();
    server.close();
    await stop();
  }
});

Curve("should refuse a stranger's key: handshake:error:auth 400 and nothing delivered", async () => {
  const options = checkCurveOptions({ curveServerKeys: serverKeys, curveAllowedClients: [listed.publicKey] });
  const stop = await startZapHandler(options.curveAllowedClients!);
  const { server, endpoint, received, arrival } = await curveServer(options);
  const refused = client({ ...curveClientOptions({ serverPublicKey: serverKeys.publicKey, curveClientKeys: stranger }), sendTimeout: 0 });
  const admitted = client(curveClientOptions({ serverPublicKey: serverKeys.publicKey, curveClientKeys: listed }));
  try {
    const authError = next(refused, 'handshake:error:auth');
    refused.connect(endpoint);
    admitted.connect(endpoint);
    const error = await authError;
    assert.is(error.error.status, 400);
    await refused.send('from a stranger').catch(() => undefined);
    // Messages of one server arrive in order of handshakes: the listed client's proves the stranger's is not coming.
    const arrived = arrival();
    await admitted.send('from the listed client');
    await arrived;
    assert.equal(received, ['from the listed client']);
  } finally {
    refused.close();
    admitted.close();
    server.close();
    await stop();
  }
});

Curve('should refuse a plaintext client (mechanism mismatch)', async () => {
  const options = checkCurveOptions({ curveServerKeys: serverKeys, curveAllowedClients: [listed.publicKey] });
  const stop = await startZapHandler(options.curveAllowedClients!);
  const { server, endpoint, received, arrival } = await curveServer(options);
  // sendTimeout 0: once the handshake has failed there is no peer, and a send would wait for one for ever.
  const plaintext = client({ sendTimeout: 0 });
  try {
    const mismatch = next(plaintext, 'handshake:error:protocol');
    plaintext.connect(endpoint);
    await plaintext.send('in the clear').catch(() => undefined);
    assert.is((await mismatch).error.code, 'ERR_ZMTP_MECHANISM_MISMATCH');
    const admitted = client(curveClientOptions({ ...options, curveClientKeys: listed }));
    admitted.connect(endpoint);
    const arrived = arrival();
    await admitted.send('encrypted');
    await arrived;
    admitted.close();
    assert.equal(received, ['encrypted']);
  } finally {
    plaintext.close();
    server.close();
    await stop();
  }
});

Curve('should refuse even a listed client once the handler is stopped (fail closed, not open)', async () => {
  const options = checkCurveOptions({ curveServerKeys: serverKeys, curveAllowedClients: [listed.publicKey] });
  await (await startZapHandler(options.curveAllowedClients!))();
  const { server, endpoint } = await curveServer(options);
  const dealer = client(curveClientOptions({ ...options, curveClientKeys: listed }));
  try {
    const handshake = next(dealer, 'handshake').then(() => 'handshake');
    const failed = next(dealer, 'handshake:error:other').then(() => 'refused');
    dealer.connect(endpoint);
    void dealer.send('unanswered').catch(() => undefined);
    assert.is(await Promise.race([handshake, failed]), 'refused');
  } finally {
    dealer.close();
    server.close();
  }
});

Curve('should start a handler again at once after the last one stopped (the endpoint name is freed by libzmq later)', async () => {
  const options = checkCurveOptions({ curveServerKeys: serverKeys, curveAllowedClients: [listed.publicKey] });
  for (let i = 0; i < 20; i++) await (await startZapHandler(options.curveAllowedClients!))();
  const stop = await startZapHandler(options.curveAllowedClients!);
  const { server, endpoint, received, arrival } = await curveServer(options);
  const dealer = client(curveClientOptions({ ...options, curveClientKeys: listed }));
  try {
    dealer.connect(endpoint);
    const arrived = arrival();
    await dealer.send('after restarts');
    await arrived;
    assert.equal(received, ['after restarts']);
  } finally {
    dealer.close();
    server.close();
    await stop();
  }
});

Curve('should admit any CURVE client, with keys made for it, when no allow-list is given (encryption only)', async () => {
  const options = checkCurveOptions({ curveServerKeys: serverKeys });
  assert.is('zapDomain' in curveServerOptions(options), false);
  const { server, endpoint, received, arrival } = await curveServer(options);
  const dealer = client(curveClientOptions({ serverPublicKey: serverKeys.publicKey }));
  dealer.connect(endpoint);
  try {
    const arrived = arrival();
    await dealer.send('encrypted, unscreened');
    await arrived;
    assert.equal(received, ['encrypted, unscreened']);
  } finally {
    dealer.close();
    server.close();
  }
});

Curve('should give the options zeromq names for a server ROUTER and a client DEALER, and none without keys', () => {
  assert.equal(curveServerOptions({ curveServerKeys: serverKeys, curveAllowedClients: [listed.publicKey] }), {
    curveServer: true,
    curveSecretKey: serverKeys.secretKey,
    curvePublicKey: serverKeys.publicKey,
    zapDomain: ZAP_DOMAIN,
    zapEnforceDomain: true,
  });
  assert.equal(curveClientOptions({ serverPublicKey: serverKeys.publicKey, curveClientKeys: listed }), {
    curveServerKey: serverKeys.publicKey,
    curvePublicKey: listed.publicKey,
    curveSecretKey: listed.secretKey,
  });
  assert.equal(curveClientOptions({ curveServerKeys: serverKeys, curveClientKeys: listed }).curveServerKey, serverKeys.publicKey, 'the server key defaults to its own pair');
  assert.equal(curveServerOptions({}), {});
  assert.equal(curveClientOptions({}), {});
});

Curve('should encode a raw 32-byte key as curveKeyPair does (Z85)', () => {
  assert.is(z85Encode(new Uint8Array([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b])), 'HelloWorld');
});

const Keys = suite('ZeroMQ CURVE key checks');

Keys('should throw InvalidCurveKey at once for a malformed key, naming the option and not the key', () => {
  const cases: Array<[CurveOptions, RegExp]> = [
    [{ curveServerKeys: { publicKey: serverKeys.publicKey, secretKey: 'short' } }, /curveServerKeys\.secretKey.*40 Z85 characters, got 5/],
    [{ curveClientKeys: { publicKey: `${listed.publicKey.slice(0, 39)}~`, secretKey: listed.secretKey } }, /curveClientKeys\.publicKey.*"~" is not Z85/],
    [{ curveServerKeys: { publicKey: listed.publicKey, secretKey: serverKeys.secretKey } }, /does not belong to the secret key/],
    [{ serverPublicKey: '#'.repeat(40) }, /serverPublicKey.*out of Z85's range/],
    [{ curveServerKeys: serverKeys, curveAllowedClients: [listed.publicKey, 'nope'] }, /curveAllowedClients\[1\]/],
    [{ curveAllowedClients: [listed.publicKey] }, /an allow-list needs the server keys/],
  ];
  for (const [options, message] of cases) {
    const error = (() => {
      try {
        checkCurveOptions(options);
      } catch (caught) {
        return caught as Error;
      }
      return undefined;
    })();
    assert.instance(error, InvalidCurveKey, String(message));
    assert.instance(error, MessagingError);
    assert.match(error!.message, message);
    assert.not.match(error!.message, serverKeys.secretKey);
  }
});

Keys("should point at %2B when a URL query turned a key's + into a space", () => {
  const url = curveUrlOptions({ zmq_curve_server_public_key: `${'a'.repeat(39)} ` });
  assert.throws(() => curveFromUrlOptions(url), /write it %2B/);
});

Keys('should reject startZapHandler with a malformed key before binding anything', async () => {
  const error = await startZapHandler(['too short']).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  assert.instance(error, InvalidCurveKey);
});

function curveUrlOptions(given: Partial<CurveUrlOptions>): CurveUrlOptions {
  return {
    zmq_curve_server_public_key: undefined,
    zmq_curve_server_secret_key: undefined,
    zmq_curve_public_key: undefined,
    zmq_curve_secret_key: undefined,
    zmq_curve_allowed_clients: undefined,
    zmq_curve_keys_file: undefined,
    ...given,
  };
}

Keys('should read the URL options, and a keys file of NAME=VALUE lines or JSON that they override', async () => {
  assert.equal(
    curveFromUrlOptions(
      curveUrlOptions({
        zmq_curve_server_public_key: serverKeys.publicKey,
        zmq_curve_server_secret_key: serverKeys.secretKey,
        zmq_curve_allowed_clients: `${listed.publicKey}, ${stranger.publicKey}`,
      }),
    ),
    { curveServerKeys: serverKeys, curveAllowedClients: [listed.publicKey, stranger.publicKey], serverPublicKey: serverKeys.publicKey },
  );
  const dir = await mkdtemp(join(tmpdir(), 'rxm-curve-spec-'));
  try {
    const envFile = join(dir, 'keys.env');
    await writeFile(
      envFile,
      `# made by rxm zmq-keys\nZMQ_CURVE_PUBLIC_KEY=${stranger.publicKey}\nZMQ_CURVE_SECRET_KEY=${stranger.secretKey}\nZMQ_CURVE_SERVER_PUBLIC_KEY=${serverKeys.publicKey}\n`,
    );
    assert.equal(curveFromUrlOptions(curveUrlOptions({ zmq_curve_keys_file: envFile })), { curveClientKeys: stranger, serverPublicKey: serverKeys.publicKey });
    const jsonFile = join(dir, 'keys.json');
    await writeFile(
      jsonFile,
      JSON.stringify({ zmq_curve_public_key: stranger.publicKey, zmq_curve_secret_key: stranger.secretKey, zmq_curve_server_public_key: serverKeys.publicKey }),
    );
    const overridden = curveFromUrlOptions(curveUrlOptions({ zmq_curve_keys_file: jsonFile, zmq_curve_public_key: listed.publicKey, zmq_curve_secret_key: listed.secretKey }));
    assert.equal(overridden.curveClientKeys, listed);
    await writeFile(envFile, 'ZMQ_CURVE_PASSWORD=x\n');
    assert.throws(() => curveFromUrlOptions(curveUrlOptions({ zmq_curve_keys_file: envFile })), /names 'ZMQ_CURVE_PASSWORD'/);
    assert.throws(
      () => curveFromUrlOptions(curveUrlOptions({ zmq_curve_keys_file: join(dir, 'missing') })),
      (error: Error) => error instanceof InvalidCurveKey && /cannot read/.test(error.message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Keys('should refuse half a pair and client keys without the server key to check', () => {
  assert.throws(() => curveFromUrlOptions(curveUrlOptions({ zmq_curve_server_secret_key: serverKeys.secretKey })), /zmq_curve_server_public_key.*given without it/);
  assert.throws(() => curveFromUrlOptions(curveUrlOptions({ zmq_curve_public_key: listed.publicKey, zmq_curve_secret_key: listed.secretKey })), /without the server public key/);
});

Curve.run();
Keys.run();
