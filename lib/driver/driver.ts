/**
 * The driver contract: the same small, Observable-based surface for every transport. Drivers
 * move messages; the RPC client and server, notifier and listeners above them hold the logic.
 *
 * Listeners are cold: subscribing starts consuming, unsubscribing cancels the consumer. A
 * driver never hands a malformed message to a listener: it rejects it, logs why, and goes on.
 */
import type { Observable } from 'rxjs';
import type { TransportUrl } from '../core/url.js';
import type { NotificationDriver } from './notifications.js';
import type { RpcDriver } from './rpc.js';

/** Where a transport's connection stands. */
export type TransportState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

/** A transport's connection state, with the host and error that go with it. */
export interface TransportStatus {
  readonly state: TransportState;
  /** The host connected to, or being tried. */
  readonly host?: string;
  /** Why the connection was lost or could not be made. */
  readonly error?: Error;
}

/**
 * What a transport can promise beyond moving messages. A broker has all of them; a brokerless
 * transport declares what it lacks, and asking for it fails with `UnsupportedCapability`.
 */
export interface DriverCapabilities {
  /** A message given back with `requeue()`, or left unacked by a consumer that went away, is delivered again (at-least-once servers rely on it). */
  readonly requeue: boolean;
  /** Listener pools: each pool of notification listeners receives its own copy of every message. */
  readonly pools: boolean;
  /** Queues outlive their consumers: what is sent while a server or listener is down waits for it. */
  readonly durable: boolean;
  /** A message no queue can take is known at once (`MessageUndeliverable` for at-least-once clients). */
  readonly undeliverableDetection: boolean;
}

/** The name of one of the `DriverCapabilities`. */
export type Capability = keyof DriverCapabilities;

/** What a driver module's `createDriver` resolves to: the RPC and notification parts, with a status and a close. */
export interface Driver extends RpcDriver, NotificationDriver {
  /** The driver's name, as errors and logs give it ('memory', 'amqp', ...). */
  readonly name: string;
  /** What it can promise; the transport shows users a frozen copy as `transport.capabilities`. */
  readonly capabilities: DriverCapabilities;
  /** Connection states as they change; replays the current one. */
  readonly status$: Observable<TransportStatus>;
  /** Stops consumers, drops the reply channel, fails pending work with `TransportClosed`. */
  close(): Promise<void>;
}

/** What `connect()` passes to a driver module's `createDriver`. */
export interface DriverConfig {
  /** The transport URL, parsed; its `query` holds the driver's options by URL. */
  readonly url: TransportUrl;
  /** Options given by value; the URL query overrides them. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** The exchange targets without one belong to (oslo's `control_exchange`). */
  readonly controlExchange: string;
}

/**
 * Every driver module exports this: it resolves once the driver can send (or fails, for a URL
 * or options it cannot use).
 *
 * @example
 * ```ts
 * export const createDriver: CreateDriver = async ({ url, options, controlExchange }) => {
 *   const resolved = resolveOptions(OPTIONS, options as Partial<MyOptions>, url.query, url.url);
 *   return myDriver(url, resolved, controlExchange);
 * };
 * ```
 */
export type CreateDriver = (config: DriverConfig) => Promise<Driver>;

/** What a driver module exports; `connect(url, { driver })` takes one from outside the package. */
export interface DriverModule {
  /** Makes the driver for one transport. */
  readonly createDriver: CreateDriver;
}
