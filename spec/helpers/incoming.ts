import type { IncomingCall, Reply, RpcRequest, ServerIdentity } from '../../lib/driver/rpc.js';

/** What a hand-made incoming call recorded: settlements and replies, in order. */
export interface Recorded {
  readonly events: string[];
  readonly replies: Omit<Reply, 'msgId'>[];
  /** The server each heartbeat named, if any. */
  readonly heartbeats?: (ServerIdentity | undefined)[];
}

/**
 * An `IncomingCall` built by hand, for specs of the operators that consume one. It records what
 * was done to it instead of talking to a driver.
 */
export function incomingCall(
  request: Partial<RpcRequest> & { method: string },
  recorded: Recorded = { events: [], replies: [], heartbeats: [] },
): IncomingCall & { recorded: Recorded } {
  return {
    args: {},
    context: {},
    uniqueId: '',
    redelivered: false,
    ...request,
    recorded,
    ack: async () => void recorded.events.push('ack'),
    requeue: async () => void recorded.events.push('requeue'),
    reply: async (reply) => {
      recorded.events.push(reply.failure ? 'failure' : reply.ending ? 'end' : reply.result === null ? 'heartbeat' : 'value');
      recorded.replies.push(reply);
    },
    heartbeat: async (server) => {
      recorded.events.push('heartbeat');
      recorded.heartbeats?.push(server);
    },
  };
}

export const aCall = { msgId: 'm1', replyTo: 'reply_x', timeoutMs: 60_000 };
