/**
 * A link: one AMQP connection kept open across failures. It connects to the URL's hosts in the
 * order `kombu_failover_strategy` gives, tries every host once per round and backs off between
 * rounds (kombu's linear `rabbit_retry_interval` + n × `rabbit_retry_backoff`, at most
 * `rabbit_interval_max`), and publishes the open connection on `connection$` so consumers and
 * publishers re-attach to each new one. The driver keeps two, as oslo does: one to publish, one
 * to consume, so a broker blocking publishers (memory alarm) never stops consumers draining.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionOptions } from 'node:tls';
import { connect as amqpConnect, credentials, type ChannelModel, type Options, type SocketOptions } from 'amqplib';
import { BehaviorSubject, filter, firstValueFrom, map, merge, NEVER, skip, Subject, take, type Observable } from 'rxjs';
import type { TransportState } from '../../lib/driver/driver.js';
import { InvalidTransportUrl, MessageDeliveryFailure, TransportClosed } from '../../lib/core/errors.js';
import { hexId } from '../../lib/core/ids.js';
import { getLogger } from '../../lib/core/logger.js';
import type { TransportHost, TransportUrl } from '../../lib/core/url.js';
import { retryDelaySeconds, tlsVersion, type AmqpOptions } from './options.js';
import { streamlineWrites } from './socket-writes.js';

const log = getLogger('rx-messaging.amqp');

/** `idle`: not asked to connect yet (the consuming link opens on the first consumer). */
type LinkState = 'idle' | TransportState;

/** @internal */
export interface LinkStatus {
  readonly state: LinkState;
  readonly host?: string;
  readonly error?: Error;
}

/** @internal */
export interface Link {
  readonly purpose: string;
  /** The open connection, or null while there is none; replays the latest. Completes on close. */
  readonly connection$: Observable<ChannelModel | null>;
  readonly status$: Observable<LinkStatus>;
  readonly status: LinkStatus;
  /** Starts connecting (once); resolves on the first connection, rejects if no host accepts one in the first round (the link keeps trying). */
  start(): Promise<void>;
  /**
   * The open connection, waiting through a reconnect. Rejects with `MessageDeliveryFailure` once
   * `retry` further connection attempts failed (undefined or negative: never), and with
   * `TransportClosed` when the link closes.
   */
  connection(retry?: number): Promise<ChannelModel>;
  /** True while `model` is this link's open connection. */
  isOpen(model: ChannelModel): boolean;
  close(): Promise<void>;
}

/** @internal */
export function createLink(purpose: string, url: TransportUrl, options: AmqpOptions): Link {
  const hosts = url.hosts.length ? url.hosts : [{ hostname: 'localhost' }];
  const tls = url.scheme === 'amqps' || options.ssl;
  const socketOptions = socketOptionsFor(url, options, tls);
  const current$ = new BehaviorSubject<ChannelModel | null>(null);
  const status$ = new BehaviorSubject<LinkStatus>({ state: 'idle' });
  const failed$ = new Subject<Error>();
  const closed$ = new Subject<void>();
  const abort = new AbortController();
  let started: Promise<void> | undefined;
  // Set synchronously in the connection's 'close' listener, before any promise callback runs.
  let openModel: ChannelModel | null = null;
  let openDropped: Promise<Error | undefined> | undefined;

  // oslo shuffles the hosts once per connection so a fleet spreads over a cluster.
  const order = shuffled(hosts);
  const nextIndex = (index: number) =>
    options.kombu_failover_strategy === 'shuffle' && order.length > 1 ? (index + 1 + Math.floor(Math.random() * (order.length - 1))) % order.length : (index + 1) % order.length;

  const setStatus = (status: LinkStatus) => {
    if (status$.value.state !== 'closed') status$.next(status);
  };

  async function run(firstRound: { resolve: () => void; reject: (error: Error) => void }): Promise<void> {
    let index = 0;
    let tried = 0;
    let rounds = 0;
    let connectedOnce = false;
    let lastError: Error | undefined;
    while (!abort.signal.aborted) {
      const host = order[index] as TransportHost;
      const where = describeHost(host, tls);
      setStatus({ state: connectedOnce ? 'reconnecting' : 'connecting', host: where, ...(lastError && { error: lastError }) });
      let model: ChannelModel;
      try {
        model = await amqpConnect(connectOptions(url, host, tls, options), {
          ...socketOptions,
          credentials: credentialsFor(host, options),
          // SNI takes a name, never an IP address.
          ...(tls && !isIP(host.hostname) && { servername: host.hostname }),
        });
      } catch (error) {
        lastError = asError(error);
        log.warn(`cannot connect to ${where}`, { purpose, error: lastError.message });
        failed$.next(lastError);
        index = nextIndex(index);
        if (++tried < order.length) continue;
        tried = 0;
        if (!connectedOnce)
          firstRound.reject(
            new MessageDeliveryFailure(`Cannot connect to RabbitMQ at ${order.map((h) => describeHost(h, tls)).join(', ')}: ${lastError.message}`, { cause: lastError }),
          );
        const seconds = retryDelaySeconds(options, rounds++);
        log.info(`every host refused a connection; retrying in ${seconds} s`, { purpose });
        if (!(await pause(seconds * 1000))) break;
        continue;
      }
      if (abort.signal.aborted) {
        // Nothing listens to it yet: a socket error while it closes would otherwise be thrown.
        model.on('error', (error: Error) => log.debug('a connection opened during close failed', { purpose, error: error.message }));
        await model.close().catch((error: unknown) => log.debug('closing a connection opened during close failed', { purpose, error: String(error) }));
        break;
      }
      streamlineWrites(model);
      model.on('error', (error: Error) => log.warn(`connection error on ${where}`, { purpose, error: error.message }));
      model.on('blocked', (reason: string) => log.warn(`the broker blocks publishing on ${where}: ${reason}`, { purpose }));
      model.on('unblocked', () => log.info(`the broker unblocked ${where}`, { purpose }));
      const dropped = new Promise<Error | undefined>((resolve) =>
        model.once('close', (error?: Error) => {
          openModel = null;
          resolve(error);
        }),
      );
      openModel = model;
      openDropped = dropped;
      connectedOnce = true;
      tried = 0;
      rounds = 0;
      lastError = undefined;
      log.info(`connected to ${where}`, { purpose });
      current$.next(model);
      setStatus({ state: 'connected', host: where });
      firstRound.resolve();
      const reason = await dropped;
      current$.next(null);
      if (abort.signal.aborted) break;
      lastError = reason ?? new Error('the broker closed the connection');
      log.warn(`connection to ${where} lost; reconnecting`, { purpose, error: lastError.message });
      // Reconnect to the same host first: a dropped connection is usually not a dead broker.
    }
  }

  /** Waits `ms`; false when the link was closed meanwhile. */
  async function pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: abort.signal });
      return true;
    } catch (error) {
      if (abort.signal.aborted) return false;
      throw error;
    }
  }

  function begin(): Promise<void> {
    started ??= new Promise<void>((resolve, reject) => {
      run({ resolve, reject }).catch((error: unknown) => {
        log.error('the connection loop failed', { purpose, error: String(error) });
        reject(asError(error));
      });
    });
    return started;
  }

  const link: Link = {
    purpose,
    connection$: current$.asObservable(),
    status$: status$.asObservable(),
    get status() {
      return status$.value;
    },
    start() {
      if (abort.signal.aborted) return Promise.reject(new TransportClosed());
      return begin();
    },
    connection(retry = -1) {
      if (abort.signal.aborted) return Promise.reject(new TransportClosed());
      // The first round's outcome is for start()'s caller; here we wait on through later rounds.
      begin().catch((error: unknown) => log.debug('first connection round failed; still trying', { purpose, error: String(error) }));
      if (openModel) return Promise.resolve(openModel);
      const exhausted$ =
        retry < 0
          ? NEVER
          : failed$.pipe(
              skip(retry),
              map((error) => {
                throw new MessageDeliveryFailure(`No connection to RabbitMQ after ${retry + 1} attempt(s): ${error.message}`, { cause: error });
              }),
            );
      const closing$ = closed$.pipe(
        map(() => {
          throw new TransportClosed();
        }),
      );
      return firstValueFrom(merge(current$.pipe(filter((model): model is ChannelModel => model !== null && model === openModel)), exhausted$, closing$).pipe(take(1)));
    },
    isOpen: (model) => openModel === model,
    async close() {
      if (abort.signal.aborted) return;
      abort.abort();
      closed$.next();
      closed$.complete();
      status$.next({ state: 'closed' });
      const model = openModel;
      const dropped = openDropped;
      openModel = null;
      current$.next(null);
      current$.complete();
      status$.complete();
      failed$.complete();
      if (model && dropped) {
        // amqplib never settles close() when the socket dies before the broker's close-ok: the 'close' event still comes.
        await Promise.race([
          model.close().catch((error: unknown) => log.debug('closing the connection failed (it was already going)', { purpose, error: String(error) })),
          dropped,
        ]);
      }
    },
  };
  return link;
}

/** @internal */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function connectOptions(url: TransportUrl, host: TransportHost, tls: boolean, options: AmqpOptions): Options.Connect {
  return {
    protocol: tls ? 'amqps' : 'amqp',
    hostname: host.hostname || 'localhost',
    port: host.port ?? (tls ? 5671 : 5672),
    vhost: url.virtualHost ?? '/',
    // oslo negotiates the threshold itself as the AMQP heartbeat; 0 turns heartbeats off.
    heartbeat: Math.round(options.heartbeat_timeout_threshold),
  };
}

function socketOptionsFor(url: TransportUrl, options: AmqpOptions, tls: boolean): SocketOptions {
  const script = process.argv[1] ? basename(process.argv[1]) : 'node';
  const socket: SocketOptions = {
    noDelay: options.no_delay,
    timeout: options.connect_timeout * 1000,
    clientProperties: { connection_name: `${script}:${process.pid}:${hexId()}` },
  };
  if (!tls) return socket;
  const read = (key: 'ssl_ca_file' | 'ssl_cert_file' | 'ssl_key_file') => {
    const path = options[key];
    if (path === undefined) return undefined;
    try {
      return readFileSync(path);
    } catch (error) {
      throw new InvalidTransportUrl(url.url, `cannot read ${key} '${path}': ${(error as Error).message}`, { cause: error });
    }
  };
  const version = options.ssl_version === undefined ? undefined : tlsVersion(options.ssl_version);
  const [ca, cert, key] = [read('ssl_ca_file'), read('ssl_cert_file'), read('ssl_key_file')];
  const tlsOptions: ConnectionOptions = {
    ...(ca && { ca }),
    ...(cert && { cert }),
    ...(key && { key }),
    ...(version && { minVersion: version, maxVersion: version }),
    ...(!options.ssl_enforce_hostname_verification && { checkServerIdentity: () => undefined }),
  };
  return { ...socket, ...tlsOptions };
}

/** amqplib's credentials for a host: oslo logs in with AMQPLAIN; guest/guest when the URL has none. */
function credentialsFor(host: TransportHost, options: AmqpOptions): SocketOptions['credentials'] {
  const username = host.username ?? 'guest';
  const password = host.password ?? (host.username === undefined ? 'guest' : '');
  return options.rabbit_login_method.toUpperCase() === 'PLAIN' ? credentials.plain(username, password) : credentials.amqplain(username, password);
}

function describeHost(host: TransportHost, tls: boolean): string {
  const hostname = host.hostname.includes(':') ? `[${host.hostname}]` : host.hostname || 'localhost';
  return `${hostname}:${host.port ?? (tls ? 5671 : 5672)}`;
}

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}
