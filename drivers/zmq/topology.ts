/**
 * The matchmaker names a target registers under and is looked up by, built from lib/core/target.ts
 * (the one place that names topics, servers and notification queues): `<exchange>/<name>`, so two
 * exchanges with one topic stay apart, as they do on AMQP. A backend may prefix them further.
 */
import type { Priority } from '../../lib/core/priority.js';
import { exchangeName, notificationQueue, serverQueue, topicQueue, type Target } from '../../lib/core/target.js';
import type { NotificationBinding } from '../../lib/driver/notifications.js';

/** Every server of a topic: round-robin casts and calls, and fanout. @internal */
export function topicName(target: Target, controlExchange: string): string {
  return `${exchangeName(target, controlExchange)}/${topicQueue(target)}`;
}

/** One server of a topic. @internal */
export function serverName(target: Target, controlExchange: string): string {
  return `${exchangeName(target, controlExchange)}/${serverQueue(target)}`;
}

/** Where a call or cast goes: the named server, else the topic. @internal */
export function sendName(target: Target, controlExchange: string): string {
  return target.server && !target.fanout ? serverName(target, controlExchange) : topicName(target, controlExchange);
}

/** What an RPC server registers under: its topic and its own name. @internal */
export function serverNames(target: Target, controlExchange: string): string[] {
  return [topicName(target, controlExchange), serverName(target, controlExchange)];
}

/** The listeners of a topic at one priority; a member's pool part says which pool each is in. @internal */
export function notificationName(target: Target, priority: Priority, controlExchange: string): string {
  return `${exchangeName(target, controlExchange)}/${notificationQueue(target, priority)}`;
}

/** What a notification listener registers under: each binding's topic at its priority. @internal */
export function listenerNames(bindings: readonly NotificationBinding[], controlExchange: string): string[] {
  return [...new Set(bindings.map(({ target, priority }) => notificationName(target, priority, controlExchange)))];
}
