/**
 * The ZeroMQ driver's options, under oslo.messaging's `[DEFAULT]`/`[oslo_messaging_zmq]` names
 * where oslo had one (its unit too: seconds), plus rx-messaging's own (`zmq_*` beyond oslo's)
 * for heartbeats, high-water marks, the bounded send queue and the matchmaker's key prefix.
 * Set them by value or in the URL query, which wins. README.md has the table.
 */
import { InvalidTransportUrl } from '../../lib/core/errors.js';
import { resolveOptions, type OptionSpec } from '../../lib/core/options.js';
import type { TransportUrl } from '../../lib/core/url.js';

/** The resolved options of a zmq transport (README.md has the table): oslo's names where oslo had one, and the CURVE keys. */
export interface ZmqOptions extends CurveUrlOptions {
  /** `dummy` (in-process, also `inprocess`), `redis`, `sentinel` or `static`; by default the scheme's (`zmq+redis://`, ...), else in-process. */
  readonly rpc_zmq_matchmaker: string | undefined;
  /** The address servers advertise in the matchmaker (oslo: the hostname). */
  readonly rpc_zmq_host: string;
  /** Where servers bind their ROUTER (oslo: `*`). */
  readonly rpc_zmq_bind_address: string;
  /** The lowest port a server binds. */
  readonly rpc_zmq_min_port: number;
  /** One above the highest port a server binds. */
  readonly rpc_zmq_max_port: number;
  /** Random ports tried before a server gives up binding. */
  readonly rpc_zmq_bind_port_retries: number;
  /** Seconds a registration lives in the matchmaker unless refreshed. */
  readonly zmq_target_expire: number;
  /** Seconds between a server's refreshes of its registrations, and between a client's re-reads. */
  readonly zmq_target_update: number;
  /** Seconds a closed socket keeps trying to deliver what it still holds; -1 forever. */
  readonly zmq_linger: number;
  /** Queue messages only to connected peers (ZMQ_IMMEDIATE); off by default, as it loses unread replies of a server that hangs up. */
  readonly zmq_immediate: boolean;
  /** `json` (oslo's) or `msgpack`, for what this transport sends; replies use the request's. */
  readonly rpc_zmq_serialization: string;
  /** oslo's PUB/SUB fanout through the `rxm zmq-proxy` (pubsub.ts): a fanout cast is published once; false sends it to each server directly. */
  readonly use_pub_sub: boolean;
  /** The host of the `rxm zmq-proxy` that `use_pub_sub` goes through (oslo: `[zmq_proxy_opts] host`). */
  readonly zmq_proxy_host: string | undefined;
  /** The proxy's frontend port, where publishers connect (oslo: `[zmq_proxy_opts] frontend_port`). */
  readonly zmq_proxy_frontend_port: number;
  /** The proxy's backend port, where subscribers connect (oslo: `[zmq_proxy_opts] backend_port`). */
  readonly zmq_proxy_backend_port: number;
  /** Where the static matchmaker's map is: a JSON or YAML file, or the map itself as JSON text. */
  readonly zmq_static_targets: string | undefined;
  /** Redis Sentinel: the monitored master's name (oslo took it from the URL's path, which is still read when this is unset). */
  readonly sentinel_master: string | undefined;
  /** rx-messaging: prepended to every matchmaker key, so fleets (and test runs) on one Redis stay apart. */
  readonly zmq_matchmaker_prefix: string;
  /** rx-messaging: seconds a Redis command may take before the matchmaker counts as unavailable. */
  readonly zmq_matchmaker_timeout: number;
  /** rx-messaging: seconds between ZMTP heartbeats on every connection; 0 turns them off. */
  readonly zmq_heartbeat_interval: number;
  /** rx-messaging: seconds without traffic after which a peer counts as dead (frozen process, lost network). */
  readonly zmq_heartbeat_timeout: number;
  /** rx-messaging: ZeroMQ messages (each up to 64 messages and 64 KiB, or one larger) queued per connection in ZeroMQ before a send waits (ZMQ_SNDHWM). */
  readonly zmq_send_hwm: number;
  /** rx-messaging: ZeroMQ messages a socket takes in before the peer's sends wait (ZMQ_RCVHWM). */
  readonly zmq_receive_hwm: number;
  /** rx-messaging: seconds a send waits at the high-water mark, or for a server to connect, before failing. */
  readonly zmq_send_timeout: number;
  /** rx-messaging: messages waiting per socket in rx-messaging's queue, beyond which a send fails at once. */
  readonly zmq_send_queue: number;
}

/** The CURVE options of the driver's URL query and `driverOptions`, for the driver's options spec. */
export interface CurveUrlOptions {
  /** The servers' public key: a server's own (with its secret key), and the key its clients check. */
  readonly zmq_curve_server_public_key: string | undefined;
  /** A server's secret key; with it, this transport's ROUTERs speak CURVE only. */
  readonly zmq_curve_server_secret_key: string | undefined;
  /** The client key pair of this transport's DEALERs; one is made per transport when only the server key is given. */
  readonly zmq_curve_public_key: string | undefined;
  /** The secret key of that client pair. */
  readonly zmq_curve_secret_key: string | undefined;
  /** Comma-separated client public keys a server admits; unset admits every CURVE client (encryption only). */
  readonly zmq_curve_allowed_clients: string | undefined;
  /** A file holding any of the options above, as `NAME=VALUE` lines (names in any case) or a JSON object; the query and options win over it. */
  readonly zmq_curve_keys_file: string | undefined;
}

/** The CURVE options' defaults and kinds; drivers/zmq/security.ts reads them (and the keys file's names). @internal */
export const CURVE_OPTION_SPEC: OptionSpec<CurveUrlOptions> = {
  zmq_curve_server_public_key: { default: undefined, kind: 'string' },
  zmq_curve_server_secret_key: { default: undefined, kind: 'string' },
  zmq_curve_public_key: { default: undefined, kind: 'string' },
  zmq_curve_secret_key: { default: undefined, kind: 'string' },
  zmq_curve_allowed_clients: { default: undefined, kind: 'string' },
  zmq_curve_keys_file: { default: undefined, kind: 'string' },
};

const SPEC: OptionSpec<ZmqOptions> = {
  ...CURVE_OPTION_SPEC,
  rpc_zmq_matchmaker: { default: undefined, kind: 'string' },
  rpc_zmq_host: { default: '127.0.0.1', kind: 'string' },
  // Loopback unless asked: without CURVE, a ROUTER on every interface serves anyone who connects.
  rpc_zmq_bind_address: { default: '127.0.0.1', kind: 'string' },
  rpc_zmq_min_port: { default: 49153, kind: 'number' },
  rpc_zmq_max_port: { default: 65536, kind: 'number' },
  rpc_zmq_bind_port_retries: { default: 100, kind: 'number' },
  zmq_target_expire: { default: 300, kind: 'number' },
  zmq_target_update: { default: 180, kind: 'number' },
  // oslo's -1 can hold a closing process forever on a dead peer; 1 s lets the last replies out.
  zmq_linger: { default: 1, kind: 'number' },
  // Off: with it, libzmq drops the replies a DEALER has not read yet when its server hangs up (its reconnect path ends the pipe at once).
  zmq_immediate: { default: false, kind: 'boolean' },
  rpc_zmq_serialization: { default: 'json', kind: 'string' },
  use_pub_sub: { default: false, kind: 'boolean' },
  zmq_proxy_host: { default: undefined, kind: 'string' },
  zmq_proxy_frontend_port: { default: 5570, kind: 'number' },
  zmq_proxy_backend_port: { default: 5571, kind: 'number' },
  zmq_static_targets: { default: undefined, kind: 'string' },
  sentinel_master: { default: undefined, kind: 'string' },
  zmq_matchmaker_prefix: { default: '', kind: 'string' },
  zmq_matchmaker_timeout: { default: 5, kind: 'number' },
  zmq_heartbeat_interval: { default: 1, kind: 'number' },
  zmq_heartbeat_timeout: { default: 3, kind: 'number' },
  zmq_send_hwm: { default: 1000, kind: 'number' },
  zmq_receive_hwm: { default: 1000, kind: 'number' },
  zmq_send_timeout: { default: 10, kind: 'number' },
  zmq_send_queue: { default: 1000, kind: 'number' },
};

type MatchmakerKind = 'inprocess' | 'redis' | 'sentinel' | 'static';

const BACKENDS: Record<string, MatchmakerKind> = { dummy: 'inprocess', inprocess: 'inprocess', redis: 'redis', sentinel: 'sentinel', static: 'static' };

/** Defaults, then `given`, then the URL query; checks what cannot work. @internal */
export function zmqOptions(url: TransportUrl, given: Readonly<Record<string, unknown>> | undefined): ZmqOptions {
  const options = resolveOptions(SPEC, given as Partial<ZmqOptions>, url.query, url.url);
  const fail = (reason: string): never => {
    throw new InvalidTransportUrl(url.url, reason);
  };
  for (const key of Object.keys(SPEC) as (keyof ZmqOptions)[]) {
    const value = options[key];
    if (typeof value === 'number' && !Number.isFinite(value)) fail(`option '${key}' must be a finite number, got ${value}`);
    if (typeof value === 'number' && value < 0 && key !== 'zmq_linger') fail(`option '${key}' must be a number >= 0, got ${value}`);
  }
  if (options.zmq_linger < -1) fail(`option 'zmq_linger' must be -1 (forever) or seconds >= 0, got ${options.zmq_linger}`);
  if (!(options.rpc_zmq_min_port >= 1 && options.rpc_zmq_min_port < options.rpc_zmq_max_port && options.rpc_zmq_max_port <= 65536)) {
    fail(`the port range [rpc_zmq_min_port, rpc_zmq_max_port) must lie in 1..65536, got [${options.rpc_zmq_min_port}, ${options.rpc_zmq_max_port})`);
  }
  if (options.rpc_zmq_bind_port_retries < 1) fail('rpc_zmq_bind_port_retries must be at least 1');
  if (options.zmq_target_expire <= 0 || options.zmq_target_update <= 0) fail('zmq_target_expire and zmq_target_update must be above 0 seconds');
  if (options.zmq_target_update >= options.zmq_target_expire) {
    fail(`zmq_target_update (${options.zmq_target_update} s) must be below zmq_target_expire (${options.zmq_target_expire} s), or registrations lapse between refreshes`);
  }
  if (!['json', 'msgpack'].includes(options.rpc_zmq_serialization)) fail(`rpc_zmq_serialization must be 'json' or 'msgpack', got '${options.rpc_zmq_serialization}'`);
  if (options.use_pub_sub && !options.zmq_proxy_host) fail("use_pub_sub needs the proxy's address: add zmq_proxy_host=HOST (where `rxm zmq-proxy` runs), or leave use_pub_sub off");
  for (const key of ['zmq_proxy_frontend_port', 'zmq_proxy_backend_port'] as const) {
    const port = options[key];
    if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) fail(`option '${key}' must be a port in 1..65535, got ${port}`);
  }
  if (options.zmq_send_queue < 1) fail('zmq_send_queue must be at least 1');
  if (options.zmq_heartbeat_interval > 0 && options.zmq_heartbeat_timeout <= 0) fail('zmq_heartbeat_timeout must be above 0 when heartbeats are on');
  return options;
}

/** Which matchmaker a URL and its options name: the scheme's backend (`zmq+redis`), else `rpc_zmq_matchmaker`, else in-process. @internal */
export function matchmakerKind(url: TransportUrl, options: ZmqOptions): MatchmakerKind {
  const fromScheme = url.scheme.split('+')[1];
  if (fromScheme !== undefined && !BACKENDS[fromScheme])
    throw new InvalidTransportUrl(url.url, `unknown matchmaker '${fromScheme}' in the scheme: use zmq+redis, zmq+sentinel or zmq`);
  const name = fromScheme ?? options.rpc_zmq_matchmaker ?? 'dummy';
  const kind = BACKENDS[name];
  if (!kind) throw new InvalidTransportUrl(url.url, `rpc_zmq_matchmaker must be one of ${Object.keys(BACKENDS).join(', ')}, got '${name}'`);
  if (kind === 'sentinel' && !options.sentinel_master && !url.virtualHost)
    throw new InvalidTransportUrl(url.url, 'a Sentinel matchmaker needs the master name: add ?sentinel_master=NAME');
  if (kind === 'static' && !options.zmq_static_targets)
    throw new InvalidTransportUrl(url.url, 'the static matchmaker needs zmq_static_targets: a JSON or YAML file, or the map as JSON');
  return kind;
}
