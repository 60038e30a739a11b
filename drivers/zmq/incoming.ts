/**
 * Received messages as the contract's incoming calls and notifications. ZeroMQ keeps nothing
 * once it handed a message over: `ack()` has nothing to settle, `requeue()` rejects with
 * `UnsupportedCapability`, nothing is ever redelivered. A reply goes back through the ROUTER the
 * request came in on, to the caller's routing id, in the request's codec.
 */
import type { WireCodec } from '../../lib/wire/codec.js';
import type { IncomingCall, Reply } from '../../lib/driver/rpc.js';
import type { IncomingNotification } from '../../lib/driver/notifications.js';
import { UnsupportedCapability } from '../../lib/core/errors.js';
import { hexId } from '../../lib/core/ids.js';
import { incomingNotificationFromWire } from '../../lib/wire/notifications.js';
import { replyToWire, rpcFromWire } from '../../lib/wire/rpc.js';
import { encodeFrames, type Decoded } from './frames.js';
import type { Sender } from './sockets.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const settled = async () => undefined;

const noRequeue = () => Promise.reject(new UnsupportedCapability('requeue', 'zmq', 'requeue()', 'ZeroMQ keeps no copy of a delivered message; handle it or let it go'));

/** An `rpc` message as the contract's `IncomingCall`; its replies go back through `router` to `routingId`. @internal */
export function toIncomingCall({ codec, body }: Decoded, routingId: Buffer, router: Sender): IncomingCall {
  const request = rpcFromWire(body);
  const { call } = request;
  const send = (reply: Reply, replyCodec: WireCodec) => {
    try {
      return router.send([routingId, ...encodeFrames('reply', replyCodec, replyToWire(reply, hexId()))]);
    } catch (error) {
      // A result the wire cannot carry fails this reply, not the server.
      return Promise.reject(error);
    }
  };
  const incoming: Mutable<IncomingCall> = {
    method: request.method,
    args: request.args,
    context: request.context,
    uniqueId: request.uniqueId,
    redelivered: false,
    ack: settled,
    requeue: noRequeue,
    // A cast has nobody to answer.
    // `server` names this server to an rx caller, so a cancel can find it.
    reply: call
      ? ({ result, failure, ending, server }) => send(server ? { msgId: call.msgId, result, failure, ending, server } : { msgId: call.msgId, result, failure, ending }, codec)
      : settled,
    heartbeat: call
      ? (server) =>
          send(server ? { msgId: call.msgId, result: null, failure: null, ending: false, server } : { msgId: call.msgId, result: null, failure: null, ending: false }, codec)
      : settled,
  };
  if (request.namespace !== undefined) incoming.namespace = request.namespace;
  if (request.version !== undefined) incoming.version = request.version;
  if (call) incoming.call = call;
  return incoming;
}

/** A `notify` message as the contract's `IncomingNotification`: `ack()` settles nothing, `requeue()` rejects. @internal */
export function toIncomingNotification({ body }: Decoded): IncomingNotification {
  return incomingNotificationFromWire(body, { redelivered: false, ack: settled, requeue: noRequeue });
}
