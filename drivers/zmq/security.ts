/**
 * CURVE for the ZeroMQ driver: the socket options of a server ROUTER and a client DEALER, and
 * a ZAP handler that admits only the listed client keys. CURVE alone encrypts but admits any
 * client key; the allow-list needs the ZAP handler, bound in the same (default) context before
 * clients connect. With keys configured a plaintext peer is refused by libzmq itself (mechanism
 * mismatch), whatever the handler says.
 *
 * Keys are zeromq's 40-character Z85 text (`curveKeyPair()`, or `rxm zmq-keys`). In a URL query
 * a key's `+`, `&`, `#`, `%`, `/` and `?` must be percent-encoded (`+` as `%2B`), which is why
 * `zmq_curve_keys_file` exists: the same options as `NAME=VALUE` lines or a JSON object.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { curveKeyPair, Router } from 'zeromq';
import { InvalidCurveKey } from '../../lib/core/errors.js';
import { CURVE_OPTION_SPEC, type CurveUrlOptions } from './options.js';
import type { SocketSecurity } from './sockets.js';

interface CurveKeyPair {
  readonly publicKey: string;
  readonly secretKey: string;
}

/** CURVE as the driver takes it, from the `zmq_curve_*` options (`curveFromUrlOptions`). @internal */
export interface CurveOptions {
  /** This transport's server keys, for its ROUTERs. */
  readonly curveServerKeys?: CurveKeyPair;
  /** This transport's client keys, for its DEALERs. */
  readonly curveClientKeys?: CurveKeyPair;
  /** Client public keys a server admits (through the ZAP handler). */
  readonly curveAllowedClients?: readonly string[];
  /** The servers' public key a client checks; defaults to `curveServerKeys.publicKey`. */
  readonly serverPublicKey?: string;
}

/** The ZAP domain of servers with an allow-list: the handler screens only requests for it. @internal */
export const ZAP_DOMAIN = 'rx-messaging';

/** zeromq's socket options of a CURVE server ROUTER. */
interface CurveServerSocketOptions {
  readonly curveServer: true;
  readonly curveSecretKey: string;
  readonly curvePublicKey: string;
  readonly zapDomain?: string;
  readonly zapEnforceDomain?: boolean;
}

/** zeromq's socket options of a CURVE client DEALER. */
interface CurveClientSocketOptions {
  readonly curveServerKey: string;
  readonly curvePublicKey: string;
  readonly curveSecretKey: string;
}

const Z85_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const Z85_VALUE = new Map([...Z85_ALPHABET].map((char, index) => [char, index]));

/** Z85 text of bytes whose length is a multiple of 4 (a ZAP request carries the raw 32-byte key). @internal */
export function z85Encode(bytes: Uint8Array): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let text = '';
  for (let offset = 0; offset + 4 <= bytes.byteLength; offset += 4) {
    let value = view.getUint32(offset);
    let chunk = '';
    for (let i = 0; i < 5; i++) {
      chunk = Z85_ALPHABET[value % 85]! + chunk;
      value = Math.floor(value / 85);
    }
    text += chunk;
  }
  return text;
}

/** The 32 bytes of a Z85 key, or why it is not one (the key itself is never repeated: it may be secret). */
function z85Decode(option: string, key: unknown): Buffer {
  if (typeof key !== 'string') throw new InvalidCurveKey(option, `expected a 40-character Z85 string, got ${typeof key}`);
  if (key.length !== 40) throw new InvalidCurveKey(option, `expected 40 Z85 characters, got ${key.length}`);
  const bytes = Buffer.alloc(32);
  for (let group = 0; group < 8; group++) {
    let value = 0;
    for (const char of key.slice(group * 5, group * 5 + 5)) {
      const digit = Z85_VALUE.get(char);
      if (digit === undefined) {
        const hint = char === ' ' ? " (a '+' in a URL query reads as a space: write it %2B)" : '';
        throw new InvalidCurveKey(option, `character ${JSON.stringify(char)} is not Z85${hint}`);
      }
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) throw new InvalidCurveKey(option, `characters ${group * 5 + 1} to ${group * 5 + 5} are out of Z85's range`);
    bytes.writeUInt32BE(value, group * 4);
  }
  return bytes;
}

/** DER prefix of a PKCS#8 X25519 private key: the secret's 32 bytes follow it. */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** Checks both keys and that the public key is the secret key's (a swapped or mixed-up pair fails here, not at handshake). */
function checkPair(option: string, pair: CurveKeyPair | undefined): void {
  if (pair === undefined) return;
  if (typeof pair !== 'object' || pair === null) throw new InvalidCurveKey(option, 'expected { publicKey, secretKey }');
  const publicKey = z85Decode(`${option}.publicKey`, pair.publicKey);
  const secretKey = z85Decode(`${option}.secretKey`, pair.secretKey);
  const derived = createPublicKey(createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' })).export({ format: 'jwk' }).x;
  if (derived !== publicKey.toString('base64url')) throw new InvalidCurveKey(option, 'the public key does not belong to the secret key');
}

/** Checks every key at once, so a bad one fails the transport's creation rather than each handshake. @internal */
export function checkCurveOptions(options: CurveOptions): CurveOptions {
  checkPair('curveServerKeys', options.curveServerKeys);
  checkPair('curveClientKeys', options.curveClientKeys);
  if (options.serverPublicKey !== undefined) z85Decode('serverPublicKey', options.serverPublicKey);
  if (options.curveAllowedClients !== undefined) {
    if (!Array.isArray(options.curveAllowedClients)) throw new InvalidCurveKey('curveAllowedClients', 'expected an array of Z85 public keys');
    for (const [index, key] of options.curveAllowedClients.entries()) z85Decode(`curveAllowedClients[${index}]`, key);
    if (!options.curveServerKeys) throw new InvalidCurveKey('curveAllowedClients', 'an allow-list needs the server keys (curveServerKeys) it screens clients for');
  }
  return options;
}

/** The ROUTER's CURVE options; none (plaintext) without server keys. @internal */
export function curveServerOptions(options: CurveOptions): CurveServerSocketOptions | Record<string, never> {
  const keys = options.curveServerKeys;
  if (!keys) return {};
  const base = { curveServer: true, curveSecretKey: keys.secretKey, curvePublicKey: keys.publicKey } as const;
  // Enforcing the domain makes libzmq refuse clients when no ZAP handler answers, instead of admitting them all.
  return options.curveAllowedClients ? { ...base, zapDomain: ZAP_DOMAIN, zapEnforceDomain: true } : base;
}

/** The DEALER's CURVE options; none (plaintext) without a server key to check. `ephemeral` is used when no client keys are given. @internal */
export function curveClientOptions(options: CurveOptions, ephemeral: () => CurveKeyPair = curveKeyPair): CurveClientSocketOptions | Record<string, never> {
  const serverKey = options.serverPublicKey ?? options.curveServerKeys?.publicKey;
  if (serverKey === undefined) return {};
  const keys = options.curveClientKeys ?? ephemeral();
  return { curveServerKey: serverKey, curvePublicKey: keys.publicKey, curveSecretKey: keys.secretKey };
}

/** The `CurveOptions` of the resolved query and driver options (reading the keys file), checked. @internal */
export function curveFromUrlOptions(given: CurveUrlOptions): CurveOptions {
  const file = given.zmq_curve_keys_file === undefined ? {} : readKeysFile(given.zmq_curve_keys_file);
  const pick = (name: keyof CurveUrlOptions) => given[name] ?? file[name];
  const pair = (publicName: keyof CurveUrlOptions, secretName: keyof CurveUrlOptions): CurveKeyPair | undefined => {
    const publicKey = pick(publicName);
    const secretKey = pick(secretName);
    if (secretKey === undefined) return undefined;
    if (publicKey === undefined) throw new InvalidCurveKey(publicName, `${secretName} is given without it`);
    return { publicKey, secretKey };
  };
  const serverKeys = pair('zmq_curve_server_public_key', 'zmq_curve_server_secret_key');
  const clientKeys = pair('zmq_curve_public_key', 'zmq_curve_secret_key');
  if (clientKeys && pick('zmq_curve_server_public_key') === undefined)
    throw new InvalidCurveKey('zmq_curve_server_public_key', 'client keys are given without the server public key to check');
  const allowed = pick('zmq_curve_allowed_clients')
    ?.split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  const serverPublicKey = pick('zmq_curve_server_public_key');
  return checkCurveOptions({
    ...(serverKeys && { curveServerKeys: serverKeys }),
    ...(clientKeys && { curveClientKeys: clientKeys }),
    ...(allowed && { curveAllowedClients: allowed }),
    ...(serverPublicKey !== undefined && { serverPublicKey }),
  });
}

function readKeysFile(path: string): Partial<Record<keyof CurveUrlOptions, string>> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidCurveKey('zmq_curve_keys_file', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const known = new Set(Object.keys(CURVE_OPTION_SPEC).filter((name) => name !== 'zmq_curve_keys_file'));
  const entries: [string, unknown][] = text.trimStart().startsWith('{')
    ? Object.entries(JSON.parse(text) as Record<string, unknown>)
    : text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#'))
        .map((line) => {
          const at = line.indexOf('=');
          return at < 0 ? [line, undefined] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
        });
  const result: Partial<Record<keyof CurveUrlOptions, string>> = {};
  for (const [name, value] of entries) {
    const key = name.toLowerCase();
    if (!known.has(key)) throw new InvalidCurveKey('zmq_curve_keys_file', `${path} names '${name}': known names are ${[...known].join(', ')}`);
    if (typeof value !== 'string') throw new InvalidCurveKey('zmq_curve_keys_file', `${path} gives '${name}' no string value`);
    result[key as keyof CurveUrlOptions] = value;
  }
  return result;
}

/** A transport's CURVE: the options of its sockets, and the withdrawal of its allow-list (a no-op without one). */
interface CurveSecurity {
  /** Undefined without keys: plaintext sockets. */
  readonly security: SocketSecurity | undefined;
  /** Withdraws the allow-list from the ZAP handler; call once the transport's sockets are closed. */
  stop(): Promise<void>;
}

/**
 * The `SocketSecurity` of resolved CURVE options: server ROUTERs get `curveServerOptions`, client
 * DEALERs `curveClientOptions` (one ephemeral client pair per transport when none is given), and
 * an allow-list starts the ZAP handler before any server binds.
 * @internal
 */
export async function curveSecurity(options: CurveOptions): Promise<CurveSecurity> {
  const router = curveServerOptions(options);
  const dealer = curveClientOptions(options);
  const none = !('curveServer' in router) && !('curveServerKey' in dealer);
  const stop = options.curveAllowedClients ? await startZapHandler(options.curveAllowedClients) : () => Promise.resolve();
  return { security: none ? undefined : { router: { ...router }, dealer: () => ({ ...dealer }) }, stop };
}

/** ZAP's fixed address in a context (RFC 27). */
const ZAP_ENDPOINT = 'inproc://zeromq.zap.01';

/** One handler per context answers every CURVE server of the process; each started allow-list adds to the domain's. */
interface ZapHandler {
  readonly bound: Promise<void>;
  readonly lists: Set<ReadonlySet<string>>;
  readonly socket: Router;
}

let handler: ZapHandler | undefined;

/**
 * Starts answering ZAP requests: a CURVE client of a server in `ZAP_DOMAIN` is admitted (200)
 * when its key is in an allow-list started here and refused (400) otherwise. Requests for other
 * domains (CURVE servers without an allow-list) are admitted, as libzmq does with no handler.
 * Resolves, once bound, with the function that withdraws this list (the last one closes the handler).
 * @internal
 */
export async function startZapHandler(allowed: readonly string[]): Promise<() => Promise<void>> {
  for (const [index, key] of allowed.entries()) z85Decode(`curveAllowedClients[${index}]`, key);
  const list: ReadonlySet<string> = new Set(allowed);
  const current = (handler ??= openZapHandler());
  current.lists.add(list);
  try {
    await current.bound;
  } catch (error) {
    current.lists.delete(list);
    throw error;
  }
  return () => {
    if (!current.lists.delete(list) || current.lists.size > 0) return Promise.resolve();
    if (handler === current) handler = undefined;
    // Closed, not unbound first: zeromq.js runs unbind() on a worker thread while its poller, woken
    // by the reader's pending receive, reads the same socket's commands on the main thread, and the
    // two corrupt libzmq's pipe states (abort at pipe.cpp:355) when closing servers end their ZAP pipes.
    current.socket.close();
    return Promise.resolve();
  };
}

function openZapHandler(): ZapHandler {
  const socket = new Router({ linger: 0 });
  const lists = new Set<ReadonlySet<string>>();
  const bound = bindReleased(socket);
  const current: ZapHandler = { bound, lists, socket };
  bound.catch(() => {
    if (handler === current) handler = undefined;
    socket.close();
  });
  void bound.then(() => answer(socket, lists)).catch(() => undefined);
  return current;
}

/** How often, 10 ms apart, a new handler tries the endpoint's name while libzmq's reaper still holds it for a closed one. */
const BIND_TRIES = 100;

/** Binds ZAP's endpoint; a closed handler's socket gives its name up only once libzmq's reaper thread has ended it. */
async function bindReleased(socket: Router): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await socket.bind(ZAP_ENDPOINT);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= BIND_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

async function answer(socket: Router, lists: ReadonlySet<ReadonlySet<string>>): Promise<void> {
  // [routing id, '', version, request id, domain, address, identity, mechanism, credentials...]
  for await (const [routingId, , version, requestId, domain, , , mechanism, credential] of socket) {
    if (!routingId || !requestId) continue;
    const screened = domain?.toString() === ZAP_DOMAIN;
    const key = mechanism?.toString() === 'CURVE' && credential?.length === 32 ? z85Encode(credential) : undefined;
    const admitted = !screened || (key !== undefined && [...lists].some((list) => list.has(key)));
    const status = version?.toString() !== '1.0' ? ['500', 'unsupported ZAP version'] : admitted ? ['200', 'OK'] : ['400', 'client key not allowed'];
    // [routing id, '', version, request id, status code, status text, user id, metadata]
    await socket.send([routingId, '', '1.0', requestId, status[0]!, status[1]!, status[0] === '200' && key ? key : '', '']).catch(() => undefined);
  }
}
