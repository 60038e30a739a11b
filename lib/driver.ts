/**
 * The driver contract: the same small, Observable-based surface for every transport. Drivers
 * move messages; the RPC client and server, notifier and listeners above them hold the logic.
 *
 * Listeners are cold: subscribing starts consuming, unsubscribing cancels the consumer. A
 * driver never hands a malformed message to a listener: it rejects it, logs why, and goes on.
 */
import type { Observable } from 'rxjs';
import type { Priority } from './priority.js';
import type { Target } from './target.js';
import type { TransportUrl } from './url.js';

/** Request context: user, project, request id and the like, carried as `_context_*` on the wire. */
export type Context = Readonly<Record<string, unknown>>;

export type TransportState = 'connecting' | 'connected' | 'reconnecting' | 'closed';

export interface TransportStatus {
  readonly state: TransportState;
  /** The host connected to, or being tried. */
  readonly host?: string;
  /** Why the connection was lost or could not be made. */
  readonly error?: Error;
}

/** oslo's serialized exception: what a failed handler sends back to its caller. */
export interface RemoteFailure {
  readonly class: string;
  readonly module: string;
  readonly message: string;
  readonly tb: readonly string[];
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/** What a call or cast carries, besides its target. */
export interface RpcRequest {
  readonly method: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly context: Context;
  readonly namespace?: string;
  readonly version?: string;
  /** Fresh per message; receivers drop a repeat of one of the last ids they saw. */
  readonly uniqueId: string;
  /** Present on calls: where and how to reply. */
  readonly call?: {
    readonly msgId: string;
    /** The reply address of the caller's transport (`ReplyChannel.address`). */
    readonly replyTo: string;
    /** Overall timeout in ms: a request nobody took by then expires. */
    readonly timeoutMs: number;
    /** oslo's `_timeout`: seconds after which a silent server is given up; servers heartbeat at half of it. */
    readonly callMonitorTimeout?: number;
  };
}

export interface SendOptions {
  /** Connection attempts beyond the first: `undefined`/-1 forever, 0 none, N retries. */
  readonly retry?: number;
  /** Fail with `MessageUndeliverable` at once when no queue can take the message. */
  readonly atLeastOnce?: boolean;
}

/** One reply message for a call: a streamed value, a heartbeat (`ending: false`, no result), or the end. */
export interface Reply {
  readonly msgId: string;
  readonly result: unknown;
  readonly failure: RemoteFailure | null;
  readonly ending: boolean;
}

/** The transport's one reply queue or socket, shared by every call it makes. */
export interface ReplyChannel {
  readonly address: string;
  /** Hot: every reply that arrives, for any call. */
  readonly replies$: Observable<Reply>;
}

/** A call or cast received by a server. */
export interface IncomingCall extends RpcRequest {
  /** True when the broker delivered this message before (it was requeued or not acked). */
  readonly redelivered: boolean;
  /** Settles the message: the broker forgets it. */
  ack(): Promise<void>;
  /** Gives the message back to the broker for another delivery. */
  requeue(): Promise<void>;
  /** Sends one reply message to the caller; no-op for casts. */
  reply(reply: Omit<Reply, 'msgId'>): Promise<void>;
  /** Tells the caller the call is still being worked on (a reply without result, not ending). */
  heartbeat(): Promise<void>;
}

/** A notification, as published and as received. */
export interface Notification {
  readonly messageId: string;
  readonly publisherId: string;
  readonly eventType: string;
  readonly priority: Priority;
  readonly payload: unknown;
  /** oslo's `str(utcnow())`, e.g. "2026-11-22 05:25:21.387733". */
  readonly timestamp: string;
  readonly context: Context;
}

export interface NotifyOptions {
  readonly retry?: number;
  /** 2 (default) wraps the body in oslo's envelope; 1 sends it bare, as oslo's `messaging` driver does. */
  readonly version?: 1 | 2;
}

export interface IncomingNotification extends Notification {
  readonly uniqueId?: string;
  readonly redelivered: boolean;
  ack(): Promise<void>;
  requeue(): Promise<void>;
}

/** A topic (and exchange) with one priority: what a notification listener subscribes to. */
export interface NotificationBinding {
  readonly target: Target;
  readonly priority: Priority;
}

export interface ListenOptions {
  /**
   * Called once, when the consumer is in place (queues declared and bound, consuming): a message
   * sent after this is received. Servers resolve `start()` on it.
   */
  readonly onReady?: () => void;
  /** For notification listeners: the pool whose own queue this consumer reads. */
  readonly pool?: string;
}

export interface Driver {
  readonly status$: Observable<TransportStatus>;
  /** Publishes a call or cast to `target`; resolves once the transport accepted it. */
  send(target: Target, request: RpcRequest, options?: SendOptions): Promise<void>;
  /** The reply channel, created on first use and kept (and restored after reconnects) until close. */
  replyChannel(): Promise<ReplyChannel>;
  /** Consumes what an RPC server with `target` (topic and server) receives: topic, server and fanout messages. */
  listen(target: Target, options?: ListenOptions): Observable<IncomingCall>;
  /** Publishes a notification to `target`'s topic at the notification's priority. */
  notify(target: Target, notification: Notification, options?: NotifyOptions): Promise<void>;
  /** Consumes notifications; with `options.pool`, each pool receives its own copy of every message. */
  listenForNotifications(bindings: readonly NotificationBinding[], options?: ListenOptions): Observable<IncomingNotification>;
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
