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

export type TransportState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

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

export type Capability = keyof DriverCapabilities;

export interface Driver extends RpcDriver, NotificationDriver {
  /** The driver's name, as errors and logs give it ('memory', 'amqp', ...). */
  readonly name: string;
  readonly capabilities: DriverCapabilities;
  readonly status$: Observable<TransportStatus>;
  /** Stops consumers, drops the reply channel, fails pending work with `TransportClosed`. */
  close(): Promise<void>;
}

/** What `connect()` passes to a driver module's `createDriver`. */
export interface DriverConfig {
  readonly url: TransportUrl;
  /** Options given by value; the URL query overrides them. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** The exchange targets without one belong to (oslo's `control_exchange`). */
  readonly controlExchange: string;
}

/** Every driver module exports this. */
export type CreateDriver = (config: DriverConfig) => Promise<Driver>;

/** What a driver module exports; `connect(url, { driver })` takes one from outside the package. */
export interface DriverModule {
  readonly createDriver: CreateDriver;
}
