/**
 * Targets say where a message goes or where a server listens, with oslo.messaging's fields and
 * rules. This file is the only place that turns a target into queue, exchange or routing names.
 *
 * Which fields matter depends on the role:
 * - a call or cast needs `topic`; `server` sends to one server, `fanout` to every server of the topic;
 * - an RPC server needs `topic` and `server`;
 * - a notifier or notification listener needs `topic`; `exchange` overrides the control exchange.
 */
import { InvalidTarget } from './errors.js';
import type { Priority } from './priority.js';
import { isVersion } from './version.js';

/** Where a message goes or where a server or listener listens, with oslo.messaging's fields; build one with `target()`. */
export interface Target {
  /** The exchange (scope) of the topic; the transport's control exchange when absent. */
  readonly exchange?: string;
  /** The service: a name every server of it listens on, round-robin between them. */
  readonly topic?: string;
  /** Groups methods on a server; `undefined` is the null namespace. */
  readonly namespace?: string;
  /** The API version a client speaks or an endpoint implements, "X.Y[.rev]". */
  readonly version?: string;
  /** One host of the service. */
  readonly server?: string;
  /** Deliver to every server of the topic. */
  readonly fanout?: boolean;
  /** Namespaces an endpoint also accepts besides `namespace`. */
  readonly legacyNamespaces?: readonly string[];
}

/** What a target is used for; each role needs its own fields (see `assertTargetFor`). */
export type TargetRole = 'call' | 'cast' | 'server' | 'notifier' | 'listener';

/** Every field of a `Target`, once, in oslo's order: the compiler holds this to the interface, both ways. */
const FIELDS = { exchange: true, topic: true, namespace: true, version: true, server: true, fanout: true, legacyNamespaces: true } satisfies Record<keyof Target, true>;

/** Whether `key` is a field of a `Target` (so `prepare` reads it as a target override). @internal */
export function isTargetField(key: string): key is keyof Target {
  return Object.hasOwn(FIELDS, key);
}

const NAME = /^[^\s#*]+$/;

/**
 * Builds an immutable target, checking the type and shape of every field given; throws
 * `InvalidTarget` naming the field that is wrong.
 *
 * @example
 * ```ts
 * const compute = target({ topic: 'compute', version: '1.2' });
 * const host1 = target({ topic: 'compute', server: 'host-1' });
 * ```
 */
export function target(fields: Target): Target {
  for (const key of ['exchange', 'topic', 'server', 'namespace'] as const) {
    const value = fields[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || !NAME.test(value)) {
      throw new InvalidTarget(`${key} must be a non-empty string without spaces, '#' or '*'`, fields);
    }
  }
  if (fields.version !== undefined && (typeof fields.version !== 'string' || !isVersion(fields.version))) {
    throw new InvalidTarget(`version must look like "X.Y" or "X.Y.Z", got ${JSON.stringify(fields.version)}`, fields);
  }
  if (fields.fanout !== undefined && typeof fields.fanout !== 'boolean') {
    throw new InvalidTarget('fanout must be a boolean', fields);
  }
  const unknown = Object.keys(fields).filter((k) => !isTargetField(k));
  if (unknown.length) throw new InvalidTarget(`unknown field(s) ${unknown.join(', ')}`, fields);
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) copy[key] = value;
  if (fields.legacyNamespaces) copy['legacyNamespaces'] = Object.freeze([...fields.legacyNamespaces]);
  return Object.freeze(copy) as Target;
}

/**
 * A copy of `base` with `overrides` applied; `undefined` in overrides keeps the base value.
 *
 * @example
 * ```ts
 * const everyServer = retarget(target({ topic: 'compute' }), { fanout: true });
 * ```
 */
export function retarget(base: Target, overrides: Target): Target {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  return target(merged as Target);
}

/**
 * Throws `InvalidTarget` unless `t` has what `role` needs: a topic always, a server for an RPC
 * server, no fanout for a call, neither server nor fanout for notifications.
 *
 * @example
 * ```ts
 * assertTargetFor('server', target({ topic: 'compute', server: 'host-1' }));
 * ```
 */
export function assertTargetFor(role: TargetRole, t: Target): void {
  if (!t.topic) throw new InvalidTarget(`a ${role} target needs a topic`, t);
  if (role === 'server' && !t.server) throw new InvalidTarget('an RPC server target needs a server', t);
  if (role === 'call' && t.fanout) throw new InvalidTarget('a call cannot be fanout: use cast to reach every server', t);
  if (role === 'call' || role === 'server') return;
  if ((role === 'notifier' || role === 'listener') && (t.server || t.fanout)) {
    throw new InvalidTarget(`a ${role} target takes a topic (and exchange), not server or fanout`, t);
  }
}

/** Builds each target and checks it has what `role` needs. @internal */
export function targetsFor(role: TargetRole, targets: Target | readonly Target[]): Target[] {
  return (Array.isArray(targets) ? targets : [targets]).map((fields: Target) => {
    const made = target(fields);
    assertTargetFor(role, made);
    return made;
  });
}

/** The namespaces an endpoint with this target accepts (`undefined` is the null namespace). @internal */
export function acceptedNamespaces(t: Target | undefined): readonly (string | undefined)[] {
  return [t?.namespace, ...(t?.legacyNamespaces ?? [])];
}

/** Whether `namespace` is one of `acceptedNamespaces(t)`, without building the list: every request asks. @internal */
export function acceptsNamespace(t: Target | undefined, namespace: string | undefined): boolean {
  return t?.namespace === namespace || (t?.legacyNamespaces?.includes(namespace as string) ?? false);
}

/**
 * A short human description used in error messages and logs.
 *
 * @example
 * ```ts
 * describeTarget(target({ topic: 'compute', server: 'host-1' })); // 'compute.host-1'
 * ```
 */
export function describeTarget(t: Target): string {
  const where = t.fanout ? `${t.topic}(fanout)` : t.server ? `${t.topic}.${t.server}` : `${t.topic}`;
  return t.exchange ? `${t.exchange}/${where}` : where;
}

// --- names on the wire, as oslo.messaging gives them (a Python peer declares and binds the same) ---

/**
 * The exchange a target's messages go through: its own `exchange`, else the transport's control exchange.
 *
 * @example
 * ```ts
 * exchangeName(target({ topic: 'compute' }), 'openstack'); // 'openstack'
 * ```
 */
export function exchangeName(t: Target, controlExchange: string): string {
  return t.exchange ?? controlExchange;
}

/**
 * The shared queue of a topic; also the routing key of a cast or call to any server.
 *
 * @example
 * ```ts
 * topicQueue(target({ topic: 'compute' })); // 'compute'
 * ```
 */
export function topicQueue(t: Target): string {
  return `${t.topic}`;
}

/**
 * The queue (and routing key) of one server of a topic.
 *
 * @example
 * ```ts
 * serverQueue(target({ topic: 'compute', server: 'host-1' })); // 'compute.host-1'
 * ```
 */
export function serverQueue(t: Target): string {
  return `${t.topic}.${t.server}`;
}

/**
 * Where a call or cast is routed: the server's queue when a server is named, the topic's otherwise.
 *
 * @example
 * ```ts
 * routingKey(target({ topic: 'compute' })); // 'compute'
 * ```
 */
export function routingKey(t: Target): string {
  return t.server ? serverQueue(t) : topicQueue(t);
}

/**
 * The fanout exchange of a topic, to which every server of it binds a private queue.
 *
 * @example
 * ```ts
 * fanoutExchange(target({ topic: 'compute' })); // 'compute_fanout'
 * ```
 */
export function fanoutExchange(t: Target): string {
  return `${t.topic}_fanout`;
}

/**
 * The private queue a server binds to the fanout exchange, `unique` makes it its own.
 *
 * @example
 * ```ts
 * fanoutQueue(target({ topic: 'compute' }), hexId()); // 'compute_fanout_<32 hex digits>'
 * ```
 */
export function fanoutQueue(t: Target, unique: string): string {
  return `${t.topic}_fanout_${unique}`;
}

/**
 * The queue and routing key of a notification topic and priority.
 *
 * @example
 * ```ts
 * notificationQueue(target({ topic: 'notifications' }), 'info'); // 'notifications.info'
 * ```
 */
export function notificationQueue(t: Target, priority: Priority): string {
  return `${t.topic}.${priority}`;
}

/**
 * A notification pool is one queue named after the pool, bound to each of its topics' priorities.
 *
 * @example
 * ```ts
 * poolQueue('billing'); // 'billing'
 * ```
 */
export function poolQueue(pool: string): string {
  return pool;
}

/**
 * Where a listener's messages go once they were redelivered `maxRedeliveries` times: one queue
 * beside each queue it consumes, for an operator to inspect, replay or purge.
 *
 * @example
 * ```ts
 * deadLetterQueue('notifications.info'); // 'notifications.info.dead-letter'
 * ```
 */
export function deadLetterQueue(queue: string): string {
  return `${queue}.dead-letter`;
}

/**
 * A transport's reply queue, `unique` making it its own.
 *
 * @example
 * ```ts
 * replyQueue(hexId()); // 'reply_<32 hex digits>'
 * ```
 */
export function replyQueue(unique: string): string {
  return `reply_${unique}`;
}
