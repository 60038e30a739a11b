/**
 * The ZeroMQ transport, brokerless: `zmq://[name]` (an in-process matchmaker: every peer in one
 * process, shared by the transports giving the same name), `zmq+redis://[:password@]host:6379[,host2]/[db]`,
 * `zmq+sentinel://h1:26379,h2:26379/?sentinel_master=NAME`, and `zmq://?rpc_zmq_matchmaker=static`
 * with `zmq_static_targets` for a fixed fleet. Needs the `zeromq` package (and `ioredis` for
 * Redis), optional peer dependencies. README.md beside this file has the design and the options.
 */
import type { CreateDriver } from '../../lib/driver/driver.js';
import { DriverLoadFailure } from '../../lib/core/errors.js';
import type { TransportUrl } from '../../lib/core/url.js';
import { defaultCodec, loadMsgpack } from '../../lib/wire/codec.js';
import { createZmqDriver } from './driver.js';
import { createInProcessMatchmaker } from './matchmaker-inprocess.js';
import { createRedisMatchmaker } from './matchmaker-redis.js';
import { createStaticMatchmaker } from './matchmaker-static.js';
import type { Matchmaker } from './matchmaker.js';
import { matchmakerKind, zmqOptions, type ZmqOptions } from './options.js';
import { loadZeromq, type Zmq } from './sockets.js';

export type { CurveUrlOptions, ZmqOptions } from './options.js';
export type { SocketSecurity } from './sockets.js';

/**
 * The ZeroMQ driver module's factory; `connect('zmq://…')` loads and calls it. It resolves once
 * the matchmaker answered (and, with an allow-list, the ZAP handler is bound); a missing
 * `zeromq` package is a `DriverLoadFailure`, a bad CURVE key an `InvalidCurveKey`.
 *
 * @example
 * ```ts
 * const transport = await connect('zmq+redis://127.0.0.1:6379/', { driverOptions: { zmq_curve_keys_file: '/etc/rxm/node.keys' } });
 * ```
 */
export const createDriver: CreateDriver = async ({ url, options: given, controlExchange }) => {
  const options = zmqOptions(url, given);
  const kind = matchmakerKind(url, options);
  let zmq: Zmq;
  try {
    zmq = await loadZeromq();
  } catch (error) {
    throw new DriverLoadFailure('zmq', `it needs the zeromq package (npm install zeromq): ${(error as Error).message}`, { cause: error });
  }
  // Loaded after zeromq, which it imports: a missing addon is the DriverLoadFailure above.
  const { curveFromUrlOptions, curveSecurity } = await import('./security.js');
  const curve = curveFromUrlOptions(options);
  const codec = options.rpc_zmq_serialization === 'msgpack' ? await loadMsgpack() : defaultCodec;
  const matchmaker = await createMatchmaker(kind, url, options, controlExchange);
  let security: Awaited<ReturnType<typeof curveSecurity>>;
  try {
    security = await curveSecurity(curve);
  } catch (error) {
    await matchmaker.close();
    throw error;
  }
  const driver = createZmqDriver({ zmq, options, matchmaker, controlExchange, codec, security: security.security });
  return {
    ...driver,
    // The allow-list is withdrawn only once every server socket of this transport is closed.
    close: () => driver.close().then(security.stop),
  };
};

function createMatchmaker(kind: ReturnType<typeof matchmakerKind>, url: TransportUrl, options: ZmqOptions, controlExchange: string): Promise<Matchmaker> | Matchmaker {
  const seconds = (s: number) => Math.round(s * 1000);
  switch (kind) {
    case 'inprocess':
      return createInProcessMatchmaker(inProcessName(url), seconds(options.zmq_target_expire), seconds(options.zmq_target_update));
    case 'static':
      return createStaticMatchmaker(options.zmq_static_targets as string, url.url, controlExchange);
    case 'redis':
    case 'sentinel':
      return createRedisMatchmaker(url, options, kind);
  }
}

/** The in-process matchmaker a `zmq://` URL names: its path, else its host, else 'default' (as memory:// names brokers). */
function inProcessName(url: TransportUrl): string {
  return url.virtualHost || url.hosts[0]?.hostname || 'default';
}
