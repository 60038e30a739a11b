/**
 * Deliveries as the contract's incoming messages. A body that is not an oslo message (not JSON,
 * an unknown envelope, a missing field, another content type) is rejected without requeue and
 * logged, and the stream goes on. Requests and notifications are settled by their consumer: ack,
 * or requeue (`basic.reject` with requeue). The RPC server's dispatch acks a request on receipt,
 * before its handler runs (oslo's at-most-once), unless it was asked for at-least-once.
 */
import { defaultCodec } from '../../lib/wire/codec.js';
import type { IncomingCall, RpcRequest } from '../../lib/driver/rpc.js';
import type { IncomingNotification } from '../../lib/driver/notifications.js';
import { getLogger } from '../../lib/core/logger.js';
import { notificationFromWire } from '../../lib/wire/notifications.js';
import { rpcFromWire } from '../../lib/wire/rpc.js';
import type { Delivery } from './consume.js';
import { codecOf, decodeMessage, expirationOf, originOf } from './message.js';
import type { ReplySender } from './replies.js';

const log = getLogger('rx-messaging.amqp');

/** Decodes a delivery with `read`, or rejects and logs it and returns undefined. */
function readOrReject<T>(delivery: Delivery, what: string, maxInflatedBytes: number, read: (body: Record<string, unknown>) => T): T | undefined {
  try {
    return read(decodeMessage(delivery.message, maxInflatedBytes));
  } catch (error) {
    log.warn(`rejected a malformed ${what}`, { ...originOf(delivery.message), reason: (error as Error).message });
    delivery.reject(false);
    return undefined;
  }
}

/** @internal */
export function toIncomingCall(delivery: Delivery, replies: ReplySender, maxInflatedBytes: number): IncomingCall | undefined {
  const request = readOrReject<RpcRequest>(delivery, 'RPC request', maxInflatedBytes, (body) => rpcFromWire(body, expirationOf(delivery.message)));
  if (!request) return undefined;
  const { call } = request;
  // Replies go in the request's codec: a JSON (oslo) caller never gets MessagePack.
  const codec = codecOf(delivery.message) ?? defaultCodec;
  // Built field by field: an object spread per message is slow on Node 20.
  const incoming: Mutable<IncomingCall> = {
    method: request.method,
    args: request.args,
    context: request.context,
    uniqueId: request.uniqueId,
    redelivered: delivery.message.fields.redelivered,
    ack: async () => delivery.ack(),
    requeue: async () => delivery.reject(true),
    // A cast has nobody to answer.
    reply: call ? (reply) => replies.reply(call.replyTo, { msgId: call.msgId, result: reply.result, failure: reply.failure, ending: reply.ending, server: reply.server }, codec) : nobody,
    heartbeat: call ? (server) => replies.heartbeat(call.replyTo, call.msgId, codec, server) : nobody,
  };
  if (request.namespace !== undefined) incoming.namespace = request.namespace;
  if (request.version !== undefined) incoming.version = request.version;
  if (call) incoming.call = call;
  return incoming;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const nobody = async () => undefined;

/** @internal */
export function toIncomingNotification(delivery: Delivery, maxInflatedBytes: number): IncomingNotification | undefined {
  const notification = readOrReject(delivery, 'notification', maxInflatedBytes, notificationFromWire);
  if (!notification) return undefined;
  // Built field by field, as above.
  const incoming: Mutable<IncomingNotification> = {
    messageId: notification.messageId,
    publisherId: notification.publisherId,
    eventType: notification.eventType,
    priority: notification.priority,
    payload: notification.payload,
    timestamp: notification.timestamp,
    context: notification.context,
    redelivered: delivery.message.fields.redelivered,
    ack: async () => delivery.ack(),
    requeue: async () => delivery.reject(true),
  };
  if (notification.uniqueId !== undefined) incoming.uniqueId = notification.uniqueId;
  return incoming;
}
