/**
 * `connect(url)` parses the URL, loads the driver its scheme names (by dynamic import, so a
 * memory:// user never loads amqplib or the zeromq addon), or takes the driver module given by
 * value, and wraps the driver in a `Transport`. The driver stays internal (`driverOf`).
 */
import type { Observable } from 'rxjs';
import type { Capability, Driver, DriverCapabilities, DriverModule, TransportStatus } from './driver/driver.js';
import type { IncomingCall } from './driver/rpc.js';
import type { IncomingNotification } from './driver/notifications.js';
import type { ListenOptions } from './driver/listen.js';
import { DriverLoadFailure, UnsupportedCapability } from './core/errors.js';
import { PRIORITIES, type Priority } from './core/priority.js';
import { targetsFor, type Target } from './core/target.js';
import { parseTransportUrl, withoutPasswords, type DriverName, type TransportUrl } from './core/url.js';
import { loadTracing } from './core/tracing.js';
import { anything, checkOptions, isString, objectWith } from './core/check-options.js';

/** How `connect()` sets up a transport beyond what its URL says. */
export interface ConnectOptions {
  /** The exchange for targets that name none (oslo's `control_exchange`, default 'openstack'). */
  readonly controlExchange?: string;
  /** Driver options by value; query keys of the URL override them. */
  readonly driverOptions?: Readonly<Record<string, unknown>>;
  /** A driver module from outside the package (`{ createDriver }`), used instead of the one the URL's scheme names. */
  readonly driver?: DriverModule;
}

/** What `transport.notifications()` consumes besides its targets. */
export interface NotificationsOptions {
  /** Priorities to consume (default all seven). */
  readonly priorities?: readonly Priority[];
  /** With a pool name, this consumer gets its own copy of every message (capability `pools`). */
  readonly pool?: string;
  /** With `pool`: its queue is deleted once its last consumer leaves, so a watcher (`rxm tail`) leaves no queue filling up behind it. */
  readonly autoDeletePool?: boolean;
  /** Called once the consumer is in place: notifications published after it are received. */
  readonly onReady?: () => void;
}

/**
 * A connection to a messaging system, shared by every client, server, notifier and listener
 * built on it. Close it once they are done.
 */
export interface Transport {
  /** The URL it was made from, without its passwords (`url.url` shows each as `***`): only the driver holds them. */
  readonly url: TransportUrl;
  /** The exchange of targets that name none. */
  readonly controlExchange: string;
  /** What the driver can promise beyond moving messages; asking for a missing one fails with `UnsupportedCapability`. */
  readonly capabilities: DriverCapabilities;
  /** Connection states as they change; replays the current one. */
  readonly status$: Observable<TransportStatus>;
  /** The raw stream an RPC server consumes: calls and casts for `target` (topic and server). */
  listen(target: Target, options?: ListenOptions): Observable<IncomingCall>;
  /** Notifications on `targets` at `priorities`, each to be acked or requeued by the consumer. */
  notifications(targets: readonly Target[], options?: NotificationsOptions): Observable<IncomingNotification>;
  /** Stops every consumer and closes the connections; work still pending fails with `TransportClosed`. */
  close(): Promise<void>;
}

/**
 * The drivers of this package, by the name `parseTransportUrl` gives a scheme. The import paths
 * are literal so bundlers see them; each is imported only when its scheme is used.
 */
const DRIVERS: Record<DriverName, { readonly load: () => Promise<DriverModule> }> = {
  memory: { load: () => import('../drivers/memory/index.js') },
  amqp: { load: () => import('../drivers/amqp/index.js') },
  zmq: { load: () => import('../drivers/zmq/index.js') },
};

const CONNECT_OPTIONS = {
  controlExchange: isString,
  // The driver names what it does not know, by its option names.
  driverOptions: objectWith('an object of driver options'),
  // Checked with what a module given by value must have (DriverLoadFailure).
  driver: anything,
} satisfies Record<keyof ConnectOptions, unknown>;

/**
 * Connects to the transport a URL names: `memory://[name]` (the default), `rabbit://…`,
 * `amqp(s)://…`, `zmq://…`. The driver is loaded on first use of its scheme; a missing npm
 * package fails with `DriverLoadFailure` naming it.
 *
 * @example
 * ```ts
 * const transport = await connect('rabbit://guest:guest@127.0.0.1:5672/', { driverOptions: { rabbit_qos_prefetch_count: 32 } });
 * // ...
 * await transport.close();
 * ```
 */
export async function connect(url = 'memory://', options: ConnectOptions = {}): Promise<Transport> {
  checkOptions('connect', options, CONNECT_OPTIONS);
  const parsed = parseTransportUrl(url);
  const controlExchange = options.controlExchange ?? 'openstack';
  const module = options.driver === undefined ? await loadDriver(parsed.driver) : checkedModule(parsed.driver, options.driver);
  // Once per process, and only here: the paths that trace then only ask whether a provider is registered.
  await loadTracing();
  const driver = await module.createDriver({ url: parsed, options: options.driverOptions ?? {}, controlExchange });
  return transportOver(driver, parsed, controlExchange);
}

/** Clients, servers and notifier drivers reach the driver through this; users see the `Transport` only. */
const drivers = new WeakMap<Transport, Driver>();

/** @internal The driver under a transport made by `connect()`. */
export function driverOf(transport: Transport): Driver {
  const driver = drivers.get(transport);
  if (!driver) throw new TypeError('not a transport made by connect()');
  return driver;
}

/** @internal The name of the driver under `transport` ('memory', 'amqp', ...), as spans give the messaging system; the URL's driver for a transport made some other way. */
export function driverNameOf(transport: Transport): string {
  return drivers.get(transport)?.name ?? transport.url?.driver ?? 'unknown';
}

/** @internal Throws `UnsupportedCapability` unless the transport's driver claims `capability`; `asked` is what needs it, `instead` what to do. */
export function requireCapability(transport: Transport, capability: Capability, asked: string, instead: string): void {
  if (!transport.capabilities[capability]) throw new UnsupportedCapability(capability, driverOf(transport).name, asked, instead);
}

/** @internal The `Transport` over a driver: what `connect()` returns once the driver is created. */
export function transportOver(driver: Driver, url: TransportUrl, controlExchange: string): Transport {
  const transport: Transport = {
    url: withoutPasswords(url),
    controlExchange,
    capabilities: Object.freeze({ ...driver.capabilities }),
    status$: driver.status$,
    listen(t, listenOptions) {
      const [checked] = targetsFor('server', t);
      return driver.listen(checked!, listenOptions);
    },
    notifications(targets, { priorities = PRIORITIES, ...listenOptions } = {}) {
      if (listenOptions.pool !== undefined)
        requireCapability(
          transport,
          'pools',
          `notifications() with a pool ('${listenOptions.pool}')`,
          'consume without a pool, or connect to a transport that has pools (rabbit://)',
        );
      const bindings = targetsFor('listener', targets).flatMap((checked) => priorities.map((priority) => ({ target: checked, priority })));
      return driver.listenForNotifications(bindings, listenOptions);
    },
    close: () => driver.close(),
  };
  drivers.set(transport, driver);
  return transport;
}

async function loadDriver(name: DriverName): Promise<DriverModule> {
  try {
    return await DRIVERS[name].load();
  } catch (error) {
    throw driverLoadFailure(name, error);
  }
}

/** @internal Why a driver's module failed to load; a missing npm package is named, with the command that installs it. */
export function driverLoadFailure(name: string, error: unknown): DriverLoadFailure {
  const missing = (error as NodeJS.ErrnoException | undefined)?.code === 'ERR_MODULE_NOT_FOUND' ? /Cannot find package '([^']+)'/.exec((error as Error).message)?.[1] : undefined;
  const reason = missing
    ? `it needs the npm package '${missing}', which is not installed: npm install ${missing}`
    : `its module failed to load (${(error as Error)?.message ?? String(error)})`;
  return new DriverLoadFailure(name, reason, { cause: error });
}

/** A driver module given by value, checked before anything uses it. */
function checkedModule(name: DriverName, module: DriverModule): DriverModule {
  if (typeof (module as Partial<DriverModule> | null | undefined)?.createDriver !== 'function') {
    throw new DriverLoadFailure(name, 'the driver given to connect() is not a driver module: it has no createDriver function');
  }
  return module;
}
