/**
 * The notification part of the driver contract: publishing a notification at a priority, and
 * consuming the notifications of topics and priorities, optionally as one of a pool.
 */
import type { Observable } from 'rxjs';
import type { Context } from '../core/context.js';
import type { Priority } from '../core/priority.js';
import type { Target } from '../core/target.js';
import type { ListenOptions } from './listen.js';

/** A notification, as published and as received. */
export interface Notification {
  /** A uuid4, fresh per notification. */
  readonly messageId: string;
  /** Who sent it, e.g. 'compute.host-1'. */
  readonly publisherId: string;
  /** What happened, e.g. 'compute.instance.create.end'. */
  readonly eventType: string;
  readonly priority: Priority;
  /** The event's data, as the publisher's serializer made it. */
  readonly payload: unknown;
  /** oslo's `str(utcnow())`, e.g. "2026-11-22 05:25:21.387733". */
  readonly timestamp: string;
  readonly context: Context;
}

/** How a driver publishes one notification. */
export interface NotifyOptions {
  /** Connection attempts beyond the first: `undefined`/-1 forever, 0 none, N retries. */
  readonly retry?: number;
  /** 2 (default) wraps the body in oslo's envelope; 1 sends it bare, as oslo's `messaging` driver does. */
  readonly version?: 1 | 2;
}

/** A notification received by a listener, to be acked or requeued. */
export interface IncomingNotification extends Notification {
  /** oslo's `_unique_id` when the body carried one: listeners drop a repeat of a recent one. */
  readonly uniqueId?: string;
  /** True when the transport delivered this message before (it was requeued or not acked). */
  readonly redelivered: boolean;
  /** Settles the message: the transport forgets it. */
  ack(): Promise<void>;
  /** Gives the notification back for another delivery; rejects with `UnsupportedCapability` where the driver cannot (capability `requeue`). */
  requeue(): Promise<void>;
  /** How many times the transport delivered this message before, where it counts them (memory, RabbitMQ quorum queues' `x-delivery-count`). */
  readonly deliveryCount?: number;
  /** Settles the message by moving it to its queue's dead-letter queue (`deadLetterQueue`), where the driver has one. */
  deadLetter?(): Promise<void>;
}

/** A topic (and exchange) with one priority: what a notification listener subscribes to. */
export interface NotificationBinding {
  readonly target: Target;
  readonly priority: Priority;
}

/** What a driver's `listenForNotifications` takes besides its bindings. */
export interface NotificationListenOptions extends ListenOptions {
  /** The pool whose own queue this consumer reads: each pool receives its own copy of every message (capability `pools`). */
  readonly pool?: string;
  /** With `pool`: its queue is deleted once its last consumer leaves (AMQP auto-delete), for a watcher that keeps no backlog behind it. */
  readonly autoDeletePool?: boolean;
}

/** The notification part of a driver. */
export interface NotificationDriver {
  /** Publishes a notification to `target`'s topic at the notification's priority. */
  notify(target: Target, notification: Notification, options?: NotifyOptions): Promise<void>;
  /** Consumes notifications; with `options.pool`, each pool receives its own copy of every message. */
  listenForNotifications(bindings: readonly NotificationBinding[], options?: NotificationListenOptions): Observable<IncomingNotification>;
}
