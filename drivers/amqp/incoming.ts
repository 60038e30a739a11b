/**
 * Deliveries as the contract's incoming messages. A body that is not an oslo message (not JSON,
 * an unknown envelope, a missing field, another content type) is rejected without requeue and
 * logged, and the stream goes on. RPC requests are acked on receipt, before anyone handles them
 * (oslo's at-most-once), unless `rpc_at_least_once` leaves the ack to the consumer.
 * Notifications are always settled by the consumer: ack, or requeue (`basic.reject`, requeue).
 */
import type { IncomingCall, IncomingNotification, RpcRequest } from '../../lib/driver.js';
import { getLogger } from '../../lib/logger.js';
import { notificationFromWire, rpcFromWire } from '../../lib/wire.js';
import type { Delivery } from './consume.js';
import { decodeMessage, expirationOf, originOf } from './message.js';
import type { ReplySender } from './replies.js';

const log = getLogger('rx-messaging.amqp');

/** Decodes a delivery with `read`, or rejects and logs it and returns undefined. */
function readOrReject<T>(delivery: Delivery, what: string, read: (body: Record<string, unknown>) => T): T | undefined {
  try {
    return read(decodeMessage(delivery.message));
  } catch (error) {
    log.warn(`rejected a malformed ${what}`, { ...originOf(delivery.message), reason: (error as Error).message });
    delivery.reject(false);
    return undefined;
  }
}

export function toIncomingCall(delivery: Delivery, replies: ReplySender, atLeastOnce: boolean): IncomingCall | undefined {
  const request = readOrReject<RpcRequest>(delivery, 'RPC request', (body) => rpcFromWire(body, expirationOf(delivery.message)));
  if (!request) return undefined;
  if (!atLeastOnce) delivery.ack();
  const settled = async () => undefined;
  const { call } = request;
  return {
    ...request,
    redelivered: delivery.message.fields.redelivered,
    ack: atLeastOnce ? async () => delivery.ack() : settled,
    requeue: atLeastOnce ? async () => delivery.reject(true) : settled,
    reply: (reply) => (call ? replies.reply(call.replyTo, { ...reply, msgId: call.msgId }) : settled()),
    heartbeat: () => (call ? replies.heartbeat(call.replyTo, call.msgId) : settled()),
  };
}

export function toIncomingNotification(delivery: Delivery): IncomingNotification | undefined {
  const notification = readOrReject(delivery, 'notification', notificationFromWire);
  if (!notification) return undefined;
  return {
    ...notification,
    redelivered: delivery.message.fields.redelivered,
    ack: async () => delivery.ack(),
    requeue: async () => delivery.reject(true),
  };
}
