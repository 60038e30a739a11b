/**
 * The raw harness's `--oslo-wire` mode: plain amqplib carrying what oslo.messaging's protocol asks
 * of every RPC message, and nothing of rx-messaging's client or server. Requests go through the
 * `openstack` topic exchange to queues bound on it; every publish waits for its confirm; bodies
 * are oslo's 2.0 envelope (the message JSON-encoded inside a JSON string, with `_msg_id`,
 * `_reply_q`, `_unique_id`); properties are oslo's (JSON, utf-8, persistent, priority 0, and a
 * call request's `expiration`). What this engine loses against plain amqplib is the protocol's
 * cost, which no oslo-compatible client avoids; what rx-messaging loses against it is its own.
 */
import type { Options } from 'amqplib';
import { defaultCodec } from '../../lib/codec.js';
import { hexId } from '../../lib/ids.js';
import { readMessage, RPC_METHOD, type SimulatorMessage } from '../../lib/cli/simulator/message.js';
import { decodeBody, encodeBody, replyFromWire, replyToWire, rpcFromWire, rpcToWire } from '../../lib/wire.js';

/** oslo's default control exchange, a topic exchange. */
export const OSLO_EXCHANGE = 'openstack';

/** oslo's properties on every message; a call request expires when its caller stops waiting. */
export function osloProperties(expirationMs?: number): Options.Publish {
  return { contentType: defaultCodec.contentType, contentEncoding: 'utf-8', deliveryMode: 2, priority: 0, ...(expirationMs !== undefined && { expiration: String(expirationMs) }) };
}

export function osloRequest(message: SimulatorMessage, call?: { readonly msgId: string; readonly replyTo: string; readonly timeoutMs: number }): Buffer {
  return encodeBody(defaultCodec, rpcToWire({ method: RPC_METHOD, args: { message }, context: {}, uniqueId: hexId(), ...(call && { call }) }));
}

/** The simulator message of a request, and the `_msg_id` to answer when it is a call. */
export function readOsloRequest(content: Buffer): { message: SimulatorMessage; msgId?: string } {
  const request = rpcFromWire(decodeBody(defaultCodec, content));
  return { message: readMessage(request.args['message']), ...(request.call && { msgId: request.call.msgId }) };
}

export function osloReply(msgId: string, message: SimulatorMessage): Buffer {
  return encodeBody(defaultCodec, replyToWire({ msgId, result: message, failure: null, ending: true }, hexId()));
}

export function readOsloReply(content: Buffer): SimulatorMessage {
  return readMessage(replyFromWire(decodeBody(defaultCodec, content)).result);
}
