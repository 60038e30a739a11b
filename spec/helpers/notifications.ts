import { NEVER } from 'rxjs';
import type { Driver } from '../../lib/driver/driver.js';
import type { IncomingNotification, Notification, NotifyOptions } from '../../lib/driver/notifications.js';
import type { Target } from '../../lib/core/target.js';
import { transportOver, type Transport } from '../../lib/transport.js';
import { parseTransportUrl } from '../../lib/core/url.js';

/**
 * An `IncomingNotification` built by hand, for specs of the operators that consume one. It
 * records what was done to it (`ack`, `requeue`) instead of talking to a driver.
 */
export function incomingNotification(fields: Partial<Notification & { uniqueId: string }> = {}, events: string[] = []): IncomingNotification & { events: string[] } {
  return {
    messageId: 'm-1',
    publisherId: 'compute.host-1',
    eventType: 'compute.instance.create.end',
    priority: 'info',
    payload: {},
    timestamp: '2026-11-22 05:25:21.387733',
    context: {},
    redelivered: false,
    ...fields,
    events,
    ack: async () => void events.push('ack'),
    requeue: async () => void events.push('requeue'),
  };
}

/** Resolves after pending microtasks and one macrotask: long enough for in-process deliveries and settlements. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export interface Published {
  readonly target: Target;
  readonly notification: Notification;
  readonly options: NotifyOptions | undefined;
}

/**
 * A transport whose driver records every `notify` instead of sending; `fail(topic)` makes the
 * sends to that topic reject. Only notifying is usable.
 */
export function recordingTransport(): Transport & { published: Published[]; fail(topic: string): void } {
  const published: Published[] = [];
  const failing = new Set<string>();
  const unusable = () => {
    throw new Error('not part of the recording transport');
  };
  const driver = {
    name: 'recording',
    capabilities: { requeue: false, pools: false, durable: false, undeliverableDetection: false },
    status$: NEVER,
    send: unusable,
    replyChannel: unusable,
    listen: unusable,
    listenForNotifications: unusable,
    close: async () => {},
    notify: async (target: Target, notification: Notification, options?: NotifyOptions) => {
      if (failing.has(target.topic ?? '')) throw new Error(`broker refused ${target.topic}`);
      published.push({ target, notification, options });
    },
  } as Driver;
  return Object.assign(transportOver(driver, parseTransportUrl('memory://recording'), 'openstack'), { published, fail: (topic: string) => void failing.add(topic) });
}
