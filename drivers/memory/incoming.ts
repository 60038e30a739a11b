/**
 * From a queue delivery to what listeners receive: a body read through the oslo wire format,
 * wrapped with ack, requeue and reply. A body that does not decode is rejected here, never
 * handed on: the delivery is settled (redelivering it would fail the same way) and the reason logged;
 * a request whose `_msg_id` and `_reply_q` can be read is answered with a `MalformedMessage` failure.
 */
import type { IncomingCall, Reply, RpcRequest, ServerIdentity } from '../../lib/driver/rpc.js';
import { getLogger } from '../../lib/core/logger.js';
import { toFailure } from '../../lib/wire/failure.js';
import { callerOf } from '../../lib/wire/rpc.js';
import type { NotificationSettlement } from '../../lib/wire/notifications.js';
import { ack, moveTo, requeue, type Delivery, type MessageBody, type Queue } from './queue.js';

/** Sends one reply message to a caller's reply address. */
type SendReply = (address: string, reply: Reply) => Promise<void>;

const log = getLogger('rx-messaging.memory');

/**
 * `read` of the body `decode` gives, or undefined after rejecting the delivery and logging why it
 * failed; `refused` hears of a body that decoded but did not read. @internal
 */
export function decodeOrReject<T>(
  delivery: Delivery,
  decode: (body: MessageBody) => Record<string, unknown>,
  read: (body: Record<string, unknown>) => T,
  refused?: (body: Record<string, unknown>, error: unknown) => void,
): T | undefined {
  let body: Record<string, unknown> | undefined;
  try {
    body = decode(delivery.message.body);
    return read(body);
  } catch (error) {
    if (body && refused) refused(body, error);
    ack(delivery);
    const queue = delivery.consumer.queue.name;
    const reason = error instanceof Error ? error.message : String(error);
    log.warn(`rejected a message from queue '${queue}': ${reason}`, { queue, reason });
    return undefined;
  }
}

/** A caller whose request names its reply queue hears what was wrong with it, instead of timing out. @internal */
export function answerMalformed(body: Record<string, unknown>, error: unknown, sendReply: SendReply): void {
  const caller = callerOf(body);
  if (!caller) return;
  sendReply(caller.replyTo, { msgId: caller.msgId, result: null, failure: toFailure(error), ending: true }).catch((sendError: unknown) =>
    log.warn('could not tell a caller its request was malformed', { msgId: caller.msgId, error: String(sendError) }),
  );
}

/** @internal */
export function incomingCall(request: RpcRequest, delivery: Delivery, sendReply: SendReply, deadLetters?: (queue: Queue) => Queue): IncomingCall {
  const { call } = request;
  // Casts have nobody to answer: replying to one is a no-op, as the contract says.
  const reply = ({ result, failure, ending, server }: Omit<Reply, 'msgId'>) =>
    call ? sendReply(call.replyTo, server ? { msgId: call.msgId, result, failure, ending, server } : { msgId: call.msgId, result, failure, ending }) : Promise.resolve();
  // Object.assign onto the methods, not a spread: V8 makes a spread followed by closures far slower.
  return Object.assign(
    {
      redelivered: delivery.message.redelivered,
      deliveryCount: delivery.message.redeliveries,
      ack: async () => ack(delivery),
      requeue: async () => requeue(delivery),
      ...(deadLetters && { deadLetter: async () => moveTo(delivery, deadLetters(delivery.consumer.queue)) }),
      reply,
      heartbeat: (server?: ServerIdentity) => reply(server ? { result: null, failure: null, ending: false, server } : { result: null, failure: null, ending: false }),
    },
    request,
  );
}

/** How a memory:// notification was delivered and is settled, for `incomingNotificationFromWire`. @internal */
export function notificationSettlement(delivery: Delivery, deadLetters: (queue: Queue) => Queue): NotificationSettlement {
  return {
    redelivered: delivery.message.redelivered,
    deliveryCount: delivery.message.redeliveries,
    ack: async () => ack(delivery),
    requeue: async () => requeue(delivery),
    deadLetter: async () => moveTo(delivery, deadLetters(delivery.consumer.queue)),
  };
}
