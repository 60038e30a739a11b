/**
 * Deliveries as the contract's incoming messages. A body that is not an oslo message (not JSON,
 * an unknown envelope, a missing field, another content type) is rejected without requeue and
 * logged, and the stream goes on; a malformed request whose `_msg_id` and `_reply_q` can be read
 * is answered with a `MalformedMessage` failure first. Requests and notifications are settled by their consumer: ack,
 * or requeue (`basic.reject` with requeue). The RPC server's dispatch acks a request on receipt,
 * before its handler runs (oslo's at-most-once), unless it was asked for at-least-once.
 */
import { defaultCodec, type WireCodec } from '../../lib/wire/codec.js';
import { toFailure } from '../../lib/wire/failure.js';
import type { IncomingCall, RpcRequest } from '../../lib/driver/rpc.js';
import type { IncomingNotification } from '../../lib/driver/notifications.js';
import { getLogger } from '../../lib/core/logger.js';
import { incomingNotificationFromWire, type NotificationSettlement } from '../../lib/wire/notifications.js';
import { callerOf, rpcFromWire } from '../../lib/wire/rpc.js';
import type { Delivery } from './consume.js';
import { directReplyAddress } from './direct-reply.js';
import { codecOf, decodeMessage, expirationOf, originOf } from './message.js';
import type { ReplySender } from './replies.js';

const log = getLogger('rx-messaging.amqp');

/** Decodes a delivery with `read`, or rejects and logs it and returns undefined; `refused` hears of a body that decoded but did not read. */
function readOrReject<T>(
  delivery: Delivery,
  what: string,
  maxInflatedBytes: number,
  read: (body: Record<string, unknown>) => T,
  refused?: (body: Record<string, unknown>, error: unknown) => void,
): T | undefined {
  let body: Record<string, unknown> | undefined;
  try {
    body = decodeMessage(delivery.message, maxInflatedBytes);
    return read(body);
  } catch (error) {
    log.warn(`rejected a malformed ${what}`, { ...originOf(delivery.message), reason: (error as Error).message });
    // The caller hears first; the reject only settles the message.
    if (body && refused) refused(body, error);
    delivery.reject(false);
    return undefined;
  }
}

/** @internal */
export function toIncomingCall(
  delivery: Delivery,
  replies: ReplySender,
  maxInflatedBytes: number,
  { deadLetterQueues = false, directReplyTo = false }: { readonly deadLetterQueues?: boolean; readonly directReplyTo?: boolean } = {},
): IncomingCall | undefined {
  // Replies go in the request's codec: a JSON (oslo) caller never gets MessagePack.
  const codec = codecOf(delivery.message) ?? defaultCodec;
  const request = readOrReject<RpcRequest>(
    delivery,
    'RPC request',
    maxInflatedBytes,
    (body) => rpcFromWire(body, expirationOf(delivery.message)),
    (body, error) => answerMalformed(body, error, replies, codec),
  );
  if (!request) return undefined;
  const { call } = request;
  // An rx-messaging caller asking for direct reply-to is answered there; anyone else at _reply_q.
  const replyTo = call && ((directReplyTo && directReplyAddress(delivery.message)) || call.replyTo);
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
    reply: call
      ? (reply) => replies.reply(replyTo!, { msgId: call.msgId, result: reply.result, failure: reply.failure, ending: reply.ending, server: reply.server }, codec)
      : nobody,
    heartbeat: call ? (server) => replies.heartbeat(replyTo!, call.msgId, codec, server) : nobody,
  };
  if (request.namespace !== undefined) incoming.namespace = request.namespace;
  if (request.version !== undefined) incoming.version = request.version;
  if (call) incoming.call = call;
  const count = deliveryCountOf(delivery);
  if (count !== undefined) incoming.deliveryCount = count;
  // The queue's x-dead-letter-* arguments send a rejected message to its dead-letter queue.
  if (deadLetterQueues) incoming.deadLetter = deadLetterOf(delivery);
  return incoming;
}

/** A caller whose request names its reply queue hears what was wrong with it, instead of timing out. */
function answerMalformed(body: Record<string, unknown>, error: unknown, replies: ReplySender, codec: WireCodec): void {
  const caller = callerOf(body);
  if (!caller) return;
  replies
    .reply(caller.replyTo, { msgId: caller.msgId, result: null, failure: toFailure(error), ending: true }, codec)
    .catch((sendError: unknown) => log.warn('could not tell a caller its request was malformed', { msgId: caller.msgId, error: String(sendError) }));
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const nobody = async () => undefined;

/**
 * Rejects the delivery without requeue: to its queue's dead-letter queue. Made here, not as a
 * literal assigned to the message's property: V8 makes such a literal in old space until its code
 * is optimized, and each one would hold its delivery through every scavenge.
 */
function deadLetterOf(delivery: Delivery): () => Promise<void> {
  return async () => delivery.reject(false);
}

/** A quorum queue's count of earlier deliveries (`x-delivery-count`); classic queues only say `redelivered`. */
function deliveryCountOf(delivery: Delivery): number | undefined {
  const count: unknown = delivery.message.properties.headers?.['x-delivery-count'];
  return typeof count === 'number' && Number.isInteger(count) && count >= 0 ? count : undefined;
}

/** @internal */
export function toIncomingNotification(delivery: Delivery, maxInflatedBytes: number, deadLetterQueues = false): IncomingNotification | undefined {
  const settlement: Mutable<NotificationSettlement> = {
    redelivered: delivery.message.fields.redelivered,
    ack: async () => delivery.ack(),
    requeue: async () => delivery.reject(true),
  };
  const count = deliveryCountOf(delivery);
  if (count !== undefined) settlement.deliveryCount = count;
  // The queue's x-dead-letter-* arguments send a rejected message to its dead-letter queue.
  if (deadLetterQueues) settlement.deadLetter = deadLetterOf(delivery);
  return readOrReject(delivery, 'notification', maxInflatedBytes, (body) => incomingNotificationFromWire(body, settlement));
}
