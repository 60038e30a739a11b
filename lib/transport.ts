/**
 * `connect(url)` parses the URL, loads the driver its scheme names (by dynamic import, so a
 * memory:// user never loads amqplib or the zeromq addon) and wraps it in a `Transport`.
 */
import type { Observable } from 'rxjs';
import type { CreateDriver, Driver, TransportStatus } from './driver/driver.js';
import type { IncomingCall } from './driver/rpc.js';
import type { IncomingNotification } from './driver/notifications.js';
import type { ListenOptions } from './driver/listen.js';
import { DriverLoadFailure } from './core/errors.js';
import { PRIORITIES, type Priority } from './core/priority.js';
import { targetsFor, type Target } from './core/target.js';
import { parseTransportUrl, type DriverName, type TransportUrl } from './core/url.js';

export interface ConnectOptions {
  /** The exchange for targets that name none (oslo's `control_exchange`, default 'openstack'). */
  readonly controlExchange?: string;
  /** Driver options by value; query keys of the URL override them. */
  readonly driverOptions?: Readonly<Record<string, unknown>>;
}

export interface NotificationsOptions {
  /** Priorities to consume (default all seven). */
  readonly priorities?: readonly Priority[];
  /** With a pool name, this consumer gets its own copy of every message. */
  readonly pool?: string;
  /** Called once the consumer is in place: notifications published after it are received. */
  readonly onReady?: () => void;
}

export interface Transport {
  readonly url: TransportUrl;
  readonly controlExchange: string;
  /** The driver underneath, for clients, servers and users writing their own pipelines. */
  readonly driver: Driver;
  /** Connection states as they change; replays the current one. */
  readonly status$: Observable<TransportStatus>;
  /** The raw stream an RPC server consumes: calls and casts for `target` (topic and server). */
  listen(target: Target, options?: ListenOptions): Observable<IncomingCall>;
  /** Notifications on `targets` at `priorities`, each to be acked or requeued by the consumer. */
  notifications(targets: readonly Target[], options?: NotificationsOptions): Observable<IncomingNotification>;
  close(): Promise<void>;
}

const DRIVER_MODULES: Record<DriverName, string> = {
  memory: '../drivers/memory/index.js',
  amqp: '../drivers/amqp/index.js',
  zmq: '../drivers/zmq/index.js',
};

/** Connects to the transport a URL names: `memory://[name]`, `rabbit://…`, `amqp(s)://…`, `zmq://…`. */
export async function connect(url = 'memory://', options: ConnectOptions = {}): Promise<Transport> {
  const parsed = parseTransportUrl(url);
  const controlExchange = options.controlExchange ?? 'openstack';
  const createDriver = await loadDriver(parsed.driver);
  const driver = await createDriver({ url: parsed, options: options.driverOptions ?? {}, controlExchange });
  return {
    url: parsed,
    controlExchange,
    driver,
    status$: driver.status$,
    listen(t, listenOptions) {
      const [checked] = targetsFor('server', t);
      return driver.listen(checked!, listenOptions);
    },
    notifications(targets, { priorities = PRIORITIES, ...listenOptions } = {}) {
      const bindings = targetsFor('listener', targets).flatMap((checked) => priorities.map((priority) => ({ target: checked, priority })));
      return driver.listenForNotifications(bindings, listenOptions);
    },
    close: () => driver.close(),
  };
}

async function loadDriver(name: DriverName): Promise<CreateDriver> {
  let module: { createDriver?: CreateDriver };
  try {
    module = await import(DRIVER_MODULES[name]);
  } catch (error) {
    throw new DriverLoadFailure(name, `its module failed to load (${(error as Error).message}); is its package installed?`, { cause: error });
  }
  if (typeof module.createDriver !== 'function') throw new DriverLoadFailure(name, 'its module exports no createDriver function');
  return module.createDriver;
}
