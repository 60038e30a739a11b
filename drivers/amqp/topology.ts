/**
 * What each role declares on the broker, with oslo.messaging's exact names, flags and arguments:
 * anything else and RabbitMQ answers a declaration beside a Python peer with
 * 406 PRECONDITION_FAILED. Names come from lib/core/target.ts; this file only adds the flags.
 */
import type { Channel } from 'amqplib';
import { basename } from 'node:path';
import { hostname } from 'node:os';
import { hexId } from '../../lib/core/ids.js';
import type { NotificationBinding } from '../../lib/driver/notifications.js';
import {
  deadLetterQueue,
  exchangeName,
  fanoutExchange,
  fanoutQueue,
  notificationQueue,
  poolQueue,
  replyQueue,
  serverQueue,
  topicQueue,
  type Target,
} from '../../lib/core/target.js';
import { quorumMemoryLimits, type AmqpOptions } from './options.js';

interface ExchangeSpec {
  readonly name: string;
  readonly type: 'topic' | 'fanout';
  readonly durable: boolean;
  readonly autoDelete: boolean;
}

interface QueueSpec {
  readonly name: string;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly bindings: readonly { readonly exchange: string; readonly routingKey: string }[];
  /** A stream queue: consumed from `x-stream-offset`, kept by the broker however its consumers stop. */
  readonly stream?: true;
}

/** Exchanges first, then queues and their bindings: what one consumer or publisher needs. @internal */
export interface Topology {
  readonly exchanges: readonly ExchangeSpec[];
  readonly queues: readonly QueueSpec[];
  /** Declared before `queues` (whose arguments name them) and never consumed: `rabbit_dead_letter_queues`. */
  readonly deadLetters?: readonly QueueSpec[];
}

/** Quorum queues are durable whatever `amqp_durable_queues` says (oslo does the same). */
function durable(options: AmqpOptions): boolean {
  return options.amqp_durable_queues || options.rabbit_quorum_queue;
}

/** The control (or target) exchange: topic, durable and auto-delete as configured. */
function topicExchange(options: AmqpOptions, name: string): ExchangeSpec {
  return { name, type: 'topic', durable: durable(options), autoDelete: options.amqp_auto_delete };
}

/** A topic's fanout exchange: durable only with transient quorum queues, deleted by the broker once its last queue goes. */
export function fanoutExchangeOf(options: AmqpOptions, target: Target): ExchangeSpec {
  return { name: fanoutExchange(target), type: 'fanout', durable: options.rabbit_transient_quorum_queue, autoDelete: true };
}

/** oslo's quorum queue arguments: the type and the limits set. */
function quorumArguments(options: AmqpOptions): Record<string, unknown> {
  const args: Record<string, unknown> = { 'x-queue-type': 'quorum' };
  const { length, bytes } = quorumMemoryLimits(options);
  if (options.rabbit_quorum_delivery_limit) args['x-delivery-limit'] = options.rabbit_quorum_delivery_limit;
  if (length) args['x-max-in-memory-length'] = length;
  if (bytes) args['x-max-in-memory-bytes'] = bytes;
  return args;
}

const managed = new Map<string, number>();

/**
 * The unique part of a reply or fanout queue's name: random, or with `use_queue_manager`
 * oslo's QManager id `<hostname>:<processname>:<n>`, numbered per process from 1, so a restarted
 * service finds its queues again. (oslo shares the count between the processes of one process
 * group through /dev/shm; here each process counts on its own: give processes of one host
 * distinct `processname`s.)
 */
export function uniqueQueueId(options: AmqpOptions): string {
  if (!options.use_queue_manager) return hexId();
  const prefix = `${options.hostname ?? hostname()}:${options.processname ?? basename(process.argv[1] ?? 'node')}`;
  const n = (managed.get(prefix) ?? 0) + 1;
  managed.set(prefix, n);
  return `${prefix}:${n}`;
}

/** Whether a server deletes its fanout queue when it stops: not a shared stream, nor a managed name kept for the restart (as oslo). */
export function deletesFanoutQueue(options: AmqpOptions): boolean {
  return !options.rabbit_stream_fanout && !options.use_queue_manager;
}

/** Topic, server, notification and pool queues: shared between processes, configured like oslo's. */
function sharedQueue(options: AmqpOptions, name: string, bindings: QueueSpec['bindings']): QueueSpec {
  const args: Record<string, unknown> = {};
  if (options.rabbit_ha_queues) args['x-ha-policy'] = 'all';
  if (options.rabbit_quorum_queue) Object.assign(args, quorumArguments(options));
  // Through the default exchange, which routes by queue name and needs no declaration.
  if (options.rabbit_dead_letter_queues) Object.assign(args, { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': deadLetterQueue(name) });
  return { name, durable: durable(options), autoDelete: options.amqp_auto_delete, arguments: args, bindings };
}

/** `topology` with, under `rabbit_dead_letter_queues`, the dead-letter queue of each queue naming one: durable, bound to nothing. */
function withDeadLetterQueues(options: AmqpOptions, topology: Topology): Topology {
  if (!options.rabbit_dead_letter_queues) return topology;
  const named = topology.queues.filter((queue) => queue.arguments['x-dead-letter-routing-key'] !== undefined);
  return { ...topology, deadLetters: named.map((queue): QueueSpec => ({ name: deadLetterQueue(queue.name), durable: true, autoDelete: false, arguments: {}, bindings: [] })) };
}

/**
 * Reply and fanout queues: one process's own, expiring after `rabbit_transient_queues_ttl`
 * unused; classic, or quorum and durable with `rabbit_transient_quorum_queue`.
 */
function transientQueue(options: AmqpOptions, name: string, bindings: QueueSpec['bindings']): QueueSpec {
  const args: Record<string, unknown> = {};
  if (options.rabbit_ha_queues) args['x-ha-policy'] = 'all';
  if (options.rabbit_transient_quorum_queue) Object.assign(args, quorumArguments(options));
  if (options.rabbit_transient_queues_ttl > 0) args['x-expires'] = Math.round(options.rabbit_transient_queues_ttl * 1000);
  return { name, durable: options.rabbit_transient_quorum_queue, autoDelete: false, arguments: args, bindings };
}

/** oslo's stream fanout: one durable stream queue `<topic>_fanout` that every server reads; the TTL becomes `x-max-age`. */
function streamQueue(options: AmqpOptions, name: string, bindings: QueueSpec['bindings']): QueueSpec {
  const args: Record<string, unknown> = { 'x-queue-type': 'stream' };
  if (options.rabbit_transient_queues_ttl > 0) args['x-max-age'] = `${Math.round(options.rabbit_transient_queues_ttl)}s`;
  return { name, durable: true, autoDelete: false, arguments: args, bindings, stream: true };
}

/**
 * An RPC server's queues: the topic's shared queue, its own server queue, and a private queue
 * (`fanoutId` makes it its own) on the topic's fanout exchange.
 * @internal
 */
export function rpcServerTopology(options: AmqpOptions, target: Target, controlExchange: string, fanoutId: string): Topology {
  const exchange = topicExchange(options, exchangeName(target, controlExchange));
  const fanout = fanoutExchangeOf(options, target);
  const fanoutBindings = [{ exchange: fanout.name, routingKey: topicQueue(target) }];
  return withDeadLetterQueues(options, {
    exchanges: [exchange, fanout],
    queues: [
      sharedQueue(options, topicQueue(target), [{ exchange: exchange.name, routingKey: topicQueue(target) }]),
      sharedQueue(options, serverQueue(target), [{ exchange: exchange.name, routingKey: serverQueue(target) }]),
      options.rabbit_stream_fanout ? streamQueue(options, fanout.name, fanoutBindings) : transientQueue(options, fanoutQueue(target, fanoutId), fanoutBindings),
    ],
  });
}

/**
 * A notification listener's queues: `<topic>.<priority>` for each binding, or with a pool one
 * queue named after it, bound to all of them (`autoDeletePool`: deleted by the broker once its last consumer leaves).
 * @internal
 */
export function notificationTopology(options: AmqpOptions, bindings: readonly NotificationBinding[], controlExchange: string, pool?: string, autoDeletePool = false): Topology {
  const exchanges = new Map<string, ExchangeSpec>();
  const queues = new Map<string, { exchange: string; routingKey: string }[]>();
  for (const { target, priority } of bindings) {
    const exchange = topicExchange(options, exchangeName(target, controlExchange));
    exchanges.set(exchange.name, exchange);
    const routingKey = notificationQueue(target, priority);
    const name = pool === undefined ? routingKey : poolQueue(pool);
    const queueBindings = queues.get(name) ?? [];
    if (!queueBindings.some((b) => b.exchange === exchange.name && b.routingKey === routingKey)) queueBindings.push({ exchange: exchange.name, routingKey });
    queues.set(name, queueBindings);
  }
  const declared = [...queues].map(([name, queueBindings]) => sharedQueue(options, name, queueBindings));
  return withDeadLetterQueues(options, {
    exchanges: [...exchanges.values()],
    queues: pool !== undefined && autoDeletePool ? declared.map((queue) => ({ ...queue, autoDelete: true })) : declared,
  });
}

/** What a notifier declares: the exchange and the `<topic>.<priority>` queue, so events wait for listeners (as oslo). @internal */
export function notifierTopology(options: AmqpOptions, binding: NotificationBinding, controlExchange: string): Topology {
  return notificationTopology(options, [binding], controlExchange);
}

/** The exchange a call or cast is published to, declared by the publisher as oslo does. @internal */
export function sendTopology(options: AmqpOptions, target: Target, controlExchange: string): Topology {
  return { exchanges: [target.fanout ? fanoutExchangeOf(options, target) : topicExchange(options, exchangeName(target, controlExchange))], queues: [] };
}

/** A transport's reply queue `reply_<id>`; replies come through the default exchange, so no binding. @internal */
export function replyTopology(options: AmqpOptions, id: string): Topology {
  return { exchanges: [], queues: [transientQueue(options, replyQueue(id), [])] };
}

/** Checks that a topology's exchanges and queues exist (passive declares); one that does not closes the channel and rejects with 404. @internal */
export async function checkTopology(channel: Channel, topology: Topology): Promise<void> {
  for (const exchange of topology.exchanges) await channel.checkExchange(exchange.name);
  for (const queue of topology.queues) await channel.checkQueue(queue.name);
}

/** Declares a topology on `channel`; a refusal (406, 404...) closes the channel and rejects. @internal */
export async function declareTopology(channel: Channel, topology: Topology): Promise<void> {
  for (const exchange of topology.exchanges) {
    await channel.assertExchange(exchange.name, exchange.type, { durable: exchange.durable, autoDelete: exchange.autoDelete });
  }
  for (const queue of topology.deadLetters ?? [])
    await channel.assertQueue(queue.name, { durable: queue.durable, autoDelete: queue.autoDelete, exclusive: false, arguments: queue.arguments });
  for (const queue of topology.queues) {
    await channel.assertQueue(queue.name, { durable: queue.durable, autoDelete: queue.autoDelete, exclusive: false, arguments: queue.arguments });
    for (const { exchange, routingKey } of queue.bindings) await channel.bindQueue(queue.name, exchange, routingKey);
  }
}

/** A short description for error messages: which exchanges and queues, with which flags. @internal */
export function describeTopology(topology: Topology): string {
  const flags = (spec: { durable: boolean; autoDelete: boolean }) => `durable=${spec.durable}, auto_delete=${spec.autoDelete}`;
  return [
    ...topology.exchanges.map((e) => `exchange '${e.name}' (${e.type}, ${flags(e)})`),
    ...topology.queues.map((q) => `queue '${q.name}' (${flags(q)}${Object.keys(q.arguments).length ? `, ${JSON.stringify(q.arguments)}` : ''})`),
  ].join(', ');
}
