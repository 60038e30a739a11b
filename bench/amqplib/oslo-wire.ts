/**
 * The raw harness's `--oslo-wire` mode: plain amqplib carrying what oslo.messaging's protocol asks
 * of every RPC message, and nothing of rx-messaging's client or server. Requests go through the
 * `openstack` topic exchange to queues bound on it; every publish waits for its confirm; bodies
 * are oslo's 2.0 envelope (the message JSON-encoded inside a JSON string, with `_msg_id`,
 * `_reply_q`, `_unique_id`); properties are oslo's (JSON, utf-8, persistent, priority 0, and a
 * call request's `expiration`); notifications are oslo's too (`<topic>.info` through the topic
 * exchange, the enveloped body with `message_id`, `publisher_id`, `event_type`, `priority`,
 * `timestamp`). What this engine loses against plain amqplib is the protocol's
 * cost, which no oslo-compatible client avoids; what rx-messaging loses against it is its own.
 * `--oslo-wire-without` leaves parts out, to measure what each one costs.
 */
import type { Channel, Options } from 'amqplib';
import { defaultCodec } from '../../lib/wire/codec.js';
import { hexId, uuid } from '../../lib/core/ids.js';
import { readMessage, RPC_METHOD, SYNC_DONE, type SimulatorMessage } from '../../tools/simulator/message.js';
import { osloTimestamp } from '../../lib/notify/timestamp.js';
import { decodeBody, encodeBody } from '../../lib/wire/envelope.js';
import { notificationFromWire, notificationToWire } from '../../lib/wire/notifications.js';
import { replyFromWire, replyToWire, rpcFromWire, rpcToWire } from '../../lib/wire/rpc.js';

/** oslo's default control exchange, a topic exchange. */
export const OSLO_EXCHANGE = 'openstack';

/** Declares oslo's topic exchange and binds `queue` on it by its own name, as oslo's topology does. */
export async function bindToOsloExchange(channel: Channel, queue: string): Promise<void> {
  await channel.assertExchange(OSLO_EXCHANGE, 'topic', { durable: false, autoDelete: false });
  await channel.bindQueue(queue, OSLO_EXCHANGE, queue);
}

/** Which parts of oslo's protocol the harness speaks. */
export interface OsloWire {
  readonly topicExchange: boolean;
  readonly confirms: boolean;
  readonly envelope: boolean;
  readonly properties: boolean;
}

/** The parts `--oslo-wire-without` may name, and the field of `OsloWire` each turns off. */
export const OSLO_WIRE_PARTS = { 'topic-exchange': 'topicExchange', confirms: 'confirms', envelope: 'envelope', properties: 'properties' } as const;

/** All of oslo's protocol but the parts named in `list` (comma-separated, e.g. `confirms,envelope`). */
export function osloWireWithout(list = ''): OsloWire {
  const wire = { topicExchange: true, confirms: true, envelope: true, properties: true };
  for (const part of list.split(',').filter(Boolean)) {
    const key = OSLO_WIRE_PARTS[part as keyof typeof OSLO_WIRE_PARTS];
    if (!key) throw new RangeError(`unknown part of oslo's wire format '${part}': use ${Object.keys(OSLO_WIRE_PARTS).join(', ')}`);
    wire[key] = false;
  }
  return wire;
}

/** oslo's properties on every message; a call request expires when its caller stops waiting. */
export function osloProperties(wire: OsloWire, expirationMs?: number): Options.Publish {
  if (!wire.properties) return {};
  return { contentType: defaultCodec.contentType, contentEncoding: 'utf-8', deliveryMode: 2, priority: 0, ...(expirationMs !== undefined && { expiration: String(expirationMs) }) };
}

export interface OsloCall {
  readonly msgId: string;
  readonly replyTo: string;
  readonly timeoutMs: number;
}

/** A call (with `call`) or cast of `method`, as oslo's client sends it (bare, as oslo's 1.0, without the envelope). */
export function osloRequest(wire: OsloWire, method: string, args: Record<string, unknown>, call?: OsloCall): Buffer {
  return encodeBody(defaultCodec, rpcToWire({ method, args, context: {}, uniqueId: hexId(), ...(call && { call }) }), wire.envelope);
}

/** A request as the harness's server reads it: the method, the simulator message of an `info`, and where to answer a call (`_reply_q`, `_msg_id`), as oslo's servers do. */
export function readOsloRequest(content: Buffer): { method: string; message?: SimulatorMessage; call?: { msgId: string; replyTo: string } } {
  const { method, args, call } = rpcFromWire(decodeBody(defaultCodec, content));
  return { method, ...(method === RPC_METHOD && { message: readMessage(args['message']) }), ...(call && { call: { msgId: call.msgId, replyTo: call.replyTo } }) };
}

export function osloReply(wire: OsloWire, msgId: string, result: unknown): Buffer {
  return encodeBody(defaultCodec, replyToWire({ msgId, result, failure: null, ending: true }, hexId()), wire.envelope);
}

/** A reply's `_msg_id` and result. */
export function readOsloReply(content: Buffer): { id: string; result: unknown } {
  const { msgId, result } = replyFromWire(decodeBody(defaultCodec, content));
  return { id: msgId, result };
}

/** An info notification of `eventType` as oslo's `messagingv2` notifier sends it; bare, as its v1 `messaging` driver does, when `envelope` is left out. */
export function osloNotification(wire: OsloWire, publisherId: string, eventType: string, payload: unknown): Buffer {
  const notification = { messageId: uuid(), publisherId, eventType, priority: 'info' as const, payload, timestamp: osloTimestamp(), context: {} };
  return encodeBody(defaultCodec, notificationToWire(notification, hexId()), wire.envelope);
}

/** A notification as the harness's listener reads it: `sync_done`, or the simulator message of any other event. */
export function readOsloNotification(content: Buffer): { sync: true } | { sync: false; message: SimulatorMessage } {
  const { eventType, payload } = notificationFromWire(decodeBody(defaultCodec, content));
  return eventType === SYNC_DONE ? { sync: true } : { sync: false, message: readMessage(payload) };
}
