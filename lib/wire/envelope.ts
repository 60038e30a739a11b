/**
 * oslo.messaging's message format (reference §3): the 2.0 envelope, call and cast bodies with
 * `_context_*` keys, replies and notifications. Drivers that speak it share these functions;
 * every decoder throws `MalformedMessage` saying what is wrong, so a driver can reject and log.
 */
import type { Context } from '../core/context.js';
import type { Notification } from '../driver/notifications.js';
import type { RemoteFailure, Reply, RpcRequest } from '../driver/rpc.js';
import { isJsonCodec, type WireCodec } from './codec.js';
import { parsePriority } from '../core/priority.js';

/** A received body that is not a message rx-messaging or oslo.messaging would send. */
export class MalformedMessage extends Error {
  constructor(reason: string) {
    super(`Malformed message: ${reason}`);
    this.name = 'MalformedMessage';
  }
}

type Dict = Record<string, unknown>;

const CONTEXT_PREFIX = '_context_';

/** oslo's 2.0 envelope up to its message (the inner message follows as a JSON string), as rx-messaging writes it. */
const ENVELOPE_HEAD = '{"oslo.version":"2.0","oslo.message":';
/** The same, as Python's json writes it. */
const PYTHON_ENVELOPE_HEAD = '{"oslo.version": "2.0", "oslo.message": ';

/**
 * The bytes of a body. JSON bodies go in oslo's 2.0 envelope (the inner message is a JSON
 * string) unless `enveloped` is false (oslo's v1 notifications); other codecs carry the body as is.
 */
export function encodeBody(codec: WireCodec, body: Dict, enveloped = true): Buffer {
  if (!enveloped || !isJsonCodec(codec)) return codec.encode(body);
  // The envelope's JSON written around the escaped inner text: no object to build and walk per message.
  return Buffer.from(`${ENVELOPE_HEAD}${JSON.stringify(codec.stringify(body))}}`, 'utf8');
}

/** Reads a body: a 2.x envelope is opened, a bare (1.0) dict taken as it is. */
export function decodeBody(codec: WireCodec, bytes: Buffer): Dict {
  if (!isJsonCodec(codec)) return unenvelope(readWith(codec, () => codec.decode(bytes)), (text) => codec.decode(Buffer.from(text, 'utf8')));
  const text = bytes.toString('utf8');
  const inner = envelopedMessage(text);
  if (inner !== undefined) return parseMessage(inner, codec.parse);
  return unenvelope(readWith(codec, () => codec.parse(text)), codec.parse);
}

/** What `read` makes of a body, or a `MalformedMessage` naming the content type it is not. */
function readWith(codec: WireCodec, read: () => unknown): unknown {
  try {
    return read();
  } catch (error) {
    throw new MalformedMessage(`the body is not ${codec.contentType}: ${(error as Error).message}`);
  }
}

/**
 * The message of a 2.0 envelope written exactly as rx-messaging or Python's json writes it,
 * read as one JSON string instead of an object with a date check over all of it (about twice as
 * fast, on every message); undefined for any other text, which the full path then reads.
 */
function envelopedMessage(text: string): string | undefined {
  const head = text.startsWith(ENVELOPE_HEAD) ? ENVELOPE_HEAD.length : text.startsWith(PYTHON_ENVELOPE_HEAD) ? PYTHON_ENVELOPE_HEAD.length : 0;
  if (head === 0 || !text.endsWith('"}')) return undefined;
  let inner: unknown;
  try {
    // Parses only if what lies between the head and the closing brace is one JSON string.
    inner = JSON.parse(text.slice(head, -1));
  } catch {
    return undefined;
  }
  return typeof inner === 'string' ? inner : undefined;
}

function unenvelope(decoded: unknown, parse: (text: string) => unknown): Dict {
  if (!isDict(decoded)) throw new MalformedMessage(`the body is ${describe(decoded)}, not an object`);
  const version = decoded['oslo.version'];
  if (version === undefined) return decoded;
  if (typeof version !== 'string' || (version !== '2' && !version.startsWith('2.'))) {
    throw new MalformedMessage(`unsupported envelope version ${JSON.stringify(version)} (2.x or a bare 1.0 dict is understood)`);
  }
  const inner = decoded['oslo.message'];
  if (typeof inner !== 'string') throw new MalformedMessage("the envelope's 'oslo.message' is not a JSON string");
  return parseMessage(inner, parse);
}

/** The enveloped message: a JSON object. */
function parseMessage(inner: string, parse: (text: string) => unknown): Dict {
  let body: unknown;
  try {
    body = parse(inner);
  } catch (error) {
    throw new MalformedMessage(`the envelope's 'oslo.message' is not JSON: ${(error as Error).message}`);
  }
  if (!isDict(body)) throw new MalformedMessage(`the enveloped message is ${describe(body)}, not an object`);
  return body;
}

export function contextToWire(context: Context): Dict {
  const wire: Dict = {};
  for (const [key, value] of Object.entries(context)) wire[CONTEXT_PREFIX + key] = value;
  return wire;
}

export function contextFromWire(body: Dict): Context {
  const context: Dict = {};
  // Every message passes here: a plain key loop, without the arrays Object.entries builds.
  for (const key in body) {
    if (key.startsWith(CONTEXT_PREFIX)) context[key.slice(CONTEXT_PREFIX.length)] = body[key];
  }
  return context;
}

/** The body of a call or cast, as oslo sends it. */
export function rpcToWire(request: RpcRequest): Dict {
  const body: Dict = { method: request.method, args: request.args };
  if (request.namespace !== undefined) body['namespace'] = request.namespace;
  if (request.version !== undefined) body['version'] = request.version;
  if (request.call) {
    body['_msg_id'] = request.call.msgId;
    body['_reply_q'] = request.call.replyTo;
    body['_timeout'] = request.call.callMonitorTimeout ?? null;
  }
  body['_unique_id'] = request.uniqueId;
  return Object.assign(body, contextToWire(request.context));
}

/** Reads a call or cast; `timeoutMs` is what the transport knows of the request's expiry. */
export function rpcFromWire(body: Dict, timeoutMs = 0): RpcRequest {
  const { method, args = {}, namespace, version, _msg_id: msgId, _reply_q: replyTo, _timeout: monitor, _unique_id: uniqueId } = body;
  if (typeof method !== 'string' || !method) throw new MalformedMessage("the message has no 'method' string");
  if (!isDict(args)) throw new MalformedMessage(`'args' is ${describe(args)}, not an object`);
  optionalString(namespace, 'namespace');
  optionalString(version, 'version');
  optionalString(uniqueId, '_unique_id');
  const request: Record<string, unknown> = { method, args, context: contextFromWire(body), uniqueId: uniqueId ?? '' };
  if (namespace != null) request['namespace'] = namespace;
  if (version != null) request['version'] = version;
  if (msgId != null) {
    if (typeof msgId !== 'string' || typeof replyTo !== 'string') throw new MalformedMessage("a call needs '_msg_id' and '_reply_q' strings");
    const call: Record<string, unknown> = { msgId, replyTo, timeoutMs };
    if (typeof monitor === 'number' && monitor > 0) call['callMonitorTimeout'] = monitor;
    request['call'] = call;
  }
  return request as unknown as RpcRequest;
}

export function replyToWire(reply: Reply, uniqueId: string): Dict {
  return {
    result: reply.result === undefined ? null : reply.result,
    failure: reply.failure ? JSON.stringify(reply.failure) : null,
    ending: reply.ending,
    _msg_id: reply.msgId,
    _unique_id: uniqueId,
  };
}

export function replyFromWire(body: Dict): Reply {
  const { _msg_id: msgId, result = null, failure = null, ending = false } = body;
  if (typeof msgId !== 'string') throw new MalformedMessage("a reply has no '_msg_id' string");
  return { msgId, result, failure: failure == null ? null : parseFailure(failure), ending: ending === true };
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
  if (!isDict(parsed)) throw new MalformedMessage(`a reply's 'failure' is ${describe(parsed)}`);
  const javascript = parsed['javascript'];
  return {
    class: String(parsed['class'] ?? 'Exception'),
    module: String(parsed['module'] ?? 'builtins'),
    message: String(parsed['message'] ?? ''),
    tb: Array.isArray(parsed['tb']) ? parsed['tb'].map(String) : [],
    args: Array.isArray(parsed['args']) ? parsed['args'] : [],
    kwargs: isDict(parsed['kwargs']) ? parsed['kwargs'] : {},
    ...(isDict(javascript) && typeof javascript['class'] === 'string' && { javascript: { class: javascript['class'], kwargs: isDict(javascript['kwargs']) ? javascript['kwargs'] : {} } }),
  };
}

export function notificationToWire(notification: Notification, uniqueId: string): Dict {
  return {
    message_id: notification.messageId,
    publisher_id: notification.publisherId,
    event_type: notification.eventType,
    priority: notification.priority.toUpperCase(),
    payload: notification.payload,
    timestamp: notification.timestamp,
    _unique_id: uniqueId,
    ...contextToWire(notification.context),
  };
}

export function notificationFromWire(body: Dict): Notification & { uniqueId?: string } {
  const { message_id: messageId, publisher_id: publisherId, event_type: eventType, priority, payload = null, timestamp, _unique_id: uniqueId } = body;
  // Checked one by one: this runs for every notification received.
  if (typeof messageId !== 'string') throw new MalformedMessage("a notification has no 'message_id' string");
  if (typeof eventType !== 'string') throw new MalformedMessage("a notification has no 'event_type' string");
  if (typeof timestamp !== 'string') throw new MalformedMessage("a notification has no 'timestamp' string");
  const parsed = parsePriority(priority);
  if (!parsed) throw new MalformedMessage(`a notification's priority ${JSON.stringify(priority)} is not one of audit, debug, info, warn, error, critical, sample`);
  optionalString(uniqueId, '_unique_id');
  const notification: Notification & { uniqueId?: string } = {
    messageId,
    publisherId: publisherId == null ? '' : String(publisherId),
    eventType,
    priority: parsed,
    payload,
    timestamp,
    context: contextFromWire(body),
  };
  if (uniqueId != null) notification.uniqueId = uniqueId as string;
  return notification;
}

function optionalString(value: unknown, name: string): void {
  if (value != null && typeof value !== 'string') throw new MalformedMessage(`'${name}' is ${describe(value)}, not a string`);
}

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}
