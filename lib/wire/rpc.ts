/**
 * Calls, casts and replies as oslo.messaging writes them: `_msg_id`, `_reply_q`,
 * `_timeout`, `_unique_id` and the context keys of a request; `result`, `failure` and `ending`
 * of a reply. rx-messaging's own keys start with `_rxm_`: oslo reads only the keys it knows, in
 * requests (its dispatcher takes method, args, namespace, version) and in replies (result,
 * failure, ending), so a Python peer never sees them.
 */
import { MalformedMessage } from '../core/errors.js';
import { getLogger } from '../core/logger.js';
import { isRecord } from '../core/record.js';
import type { RemoteFailure, Reply, RpcRequest, ServerIdentity } from '../driver/rpc.js';
import { contextFromWire, contextToWire, describe, optionalString, type Dict } from './envelope.js';
import { wireCopy } from './wire-copy.js';

const log = getLogger('rx-messaging.wire');

/** What rx-messaging's reserved methods start with: never an endpoint's, whatever the access policy. */
export const RESERVED_METHOD_PREFIX = '_rxm_';
/** The cast an rx client sends the rx server that took a call, to cancel it: `args.msg_id` names the call. */
export const CANCEL_METHOD = '_rxm_cancel';

/**
 * The body of a call or cast, as oslo sends it (`callMonitorTimeout` as `_timeout`, in seconds).
 *
 * @example
 * ```ts
 * await channel.publish(routingKey(target), encodeBody(defaultCodec, rpcToWire(request)));
 * ```
 */
export function rpcToWire(request: RpcRequest): Dict {
  const body: Dict = { method: request.method, args: request.args };
  if (request.namespace !== undefined) body['namespace'] = request.namespace;
  if (request.version !== undefined) body['version'] = request.version;
  if (request.call) {
    body['_msg_id'] = request.call.msgId;
    body['_reply_q'] = request.call.replyTo;
    // oslo's `_timeout` is in seconds; everything on this side of the wire counts in ms.
    body['_timeout'] = request.call.callMonitorTimeout === undefined ? null : request.call.callMonitorTimeout / 1000;
    if (request.call.deadline !== undefined) body['_rxm_deadline'] = request.call.deadline;
    if (request.call.cancellable) body['_rxm_cancellable'] = true;
  }
  body['_unique_id'] = request.uniqueId;
  return Object.assign(body, contextToWire(request.context));
}

/**
 * Reads a call or cast; `timeoutMs` is what the transport knows of the request's expiry. Throws
 * `MalformedMessage` saying what is missing or wrong.
 *
 * @example
 * ```ts
 * const request = rpcFromWire(decodeBody(defaultCodec, message.content), Number(message.properties.expiration ?? 0));
 * ```
 */
export function rpcFromWire(body: Dict, timeoutMs = 0): RpcRequest {
  const {
    method,
    args = {},
    namespace,
    version,
    _msg_id: msgId,
    _reply_q: replyTo,
    _timeout: monitor,
    _unique_id: uniqueId,
    _rxm_deadline: deadline,
    _rxm_cancellable: cancellable,
  } = body;
  if (typeof method !== 'string' || !method) throw new MalformedMessage("the message has no 'method' string");
  if (!isRecord(args)) throw new MalformedMessage(`'args' is ${describe(args)}, not an object`);
  optionalString(namespace, 'namespace');
  optionalString(version, 'version');
  optionalString(uniqueId, '_unique_id');
  const request: Record<string, unknown> = { method, args, context: contextFromWire(body), uniqueId: uniqueId ?? '' };
  if (namespace != null) request['namespace'] = namespace;
  if (version != null) request['version'] = version;
  if (msgId != null) {
    if (typeof msgId !== 'string' || typeof replyTo !== 'string') throw new MalformedMessage("a call needs '_msg_id' and '_reply_q' strings");
    const call: Record<string, unknown> = { msgId, replyTo, timeoutMs };
    if (typeof monitor === 'number' && Number.isFinite(monitor) && monitor > 0) call['callMonitorTimeout'] = monitor * 1000;
    // oslo sends null when the caller set none; anything else not a positive number of seconds is the caller's mistake, not the call's end.
    else if (monitor != null) log.warn("ignored a call's '_timeout': it is not a finite positive number of seconds", { method, msgId, timeout: String(monitor) });
    if (typeof deadline === 'number' && Number.isFinite(deadline)) call['deadline'] = deadline;
    if (cancellable === true) call['cancellable'] = true;
    request['call'] = call;
  }
  return request as unknown as RpcRequest;
}

/**
 * Where a request asks to be answered, when its `_msg_id` and `_reply_q` can be read: a request
 * malformed otherwise still gets a failure back instead of leaving its caller to time out.
 *
 * @example
 * ```ts
 * const caller = callerOf(body);
 * if (caller) await sendReply(caller.replyTo, { msgId: caller.msgId, result: null, failure: toFailure(error), ending: true });
 * ```
 */
export function callerOf(body: Dict): { readonly msgId: string; readonly replyTo: string } | undefined {
  const { _msg_id: msgId, _reply_q: replyTo } = body;
  return typeof msgId === 'string' && msgId && typeof replyTo === 'string' && replyTo ? { msgId, replyTo } : undefined;
}

/**
 * The body of a reply, as oslo sends it: the failure as a JSON string, a fresh `_unique_id`.
 * Throws `UnserializableValue` for a failure JSON would refuse or change.
 *
 * @example
 * ```ts
 * const bytes = encodeBody(defaultCodec, replyToWire({ msgId, result: 42, failure: null, ending: true }, hexId()));
 * ```
 */
export function replyToWire(reply: Reply, uniqueId: string): Dict {
  const body: Dict = {
    result: reply.result === undefined ? null : reply.result,
    // Checked as every body is, so a failure holding a bigint or a function is refused by path, not dropped.
    failure: reply.failure ? JSON.stringify(wireCopy({ failure: reply.failure })['failure']) : null,
    ending: reply.ending,
    _msg_id: reply.msgId,
    _unique_id: uniqueId,
  };
  if (reply.server) body['_rxm_server'] = reply.server;
  return body;
}

/**
 * Reads a reply; throws `MalformedMessage` when it has no `_msg_id` or its failure is unreadable.
 *
 * @example
 * ```ts
 * const reply = replyFromWire(decodeBody(defaultCodec, bytes));
 * ```
 */
export function replyFromWire(body: Dict): Reply {
  const { _msg_id: msgId, result = null, failure = null, ending = false, _rxm_server: server } = body;
  if (typeof msgId !== 'string') throw new MalformedMessage("a reply has no '_msg_id' string");
  const reply: { -readonly [K in keyof Reply]: Reply[K] } = { msgId, result, failure: failure == null ? null : parseFailure(failure), ending: ending === true };
  const identity = server === undefined ? undefined : serverIdentity(server);
  if (identity) reply.server = identity;
  return reply;
}

/** The `_rxm_server` of a reply, when it names a topic and a server; anything else is ignored, as oslo would. */
function serverIdentity(value: unknown): ServerIdentity | undefined {
  if (!isRecord(value) || typeof value['topic'] !== 'string' || !value['topic'] || typeof value['server'] !== 'string' || !value['server']) return undefined;
  const { topic, server, exchange } = value;
  return typeof exchange === 'string' && exchange ? { exchange, topic, server } : { topic, server };
}

function parseFailure(failure: unknown): RemoteFailure {
  let parsed: unknown = failure;
  if (typeof failure === 'string') {
    try {
      parsed = JSON.parse(failure);
    } catch {
      return { class: 'Exception', module: 'builtins', message: failure, tb: [], args: [failure], kwargs: {} };
    }
  }
  if (!isRecord(parsed)) throw new MalformedMessage(`a reply's 'failure' is ${describe(parsed)}`);
  const javascript = parsed['javascript'];
  return {
    class: String(parsed['class'] ?? 'Exception'),
    module: String(parsed['module'] ?? 'builtins'),
    message: String(parsed['message'] ?? ''),
    tb: Array.isArray(parsed['tb']) ? parsed['tb'].map(String) : [],
    args: Array.isArray(parsed['args']) ? parsed['args'] : [],
    kwargs: isRecord(parsed['kwargs']) ? parsed['kwargs'] : {},
    ...(isRecord(javascript) &&
      typeof javascript['class'] === 'string' && { javascript: { class: javascript['class'], kwargs: isRecord(javascript['kwargs']) ? javascript['kwargs'] : {} } }),
  };
}
