/**
 * oslo.messaging's 2.0 envelope and the `_context_*` keys every message carries:
 * what a body looks like as bytes, whatever it holds. Every decoder throws `MalformedMessage`
 * saying what is wrong, so a driver can reject and log.
 */
import type { Context } from '../core/context.js';
import { MalformedMessage } from '../core/errors.js';
import { isRecord, setOwn } from '../core/record.js';
import { isJsonCodec, type WireCodec } from './codec.js';

/** A message body as oslo's dicts: string keys, JSON values. */
export type Dict = Record<string, unknown>;

const CONTEXT_PREFIX = '_context_';

/** oslo's 2.0 envelope up to its message (the inner message follows as a JSON string), as rx-messaging writes it. */
const ENVELOPE_HEAD = '{"oslo.version":"2.0","oslo.message":';
/** The same, as Python's json writes it. */
const PYTHON_ENVELOPE_HEAD = '{"oslo.version": "2.0", "oslo.message": ';

/**
 * The bytes of a body. JSON bodies go in oslo's 2.0 envelope (the inner message is a JSON
 * string) unless `enveloped` is false (oslo's v1 notifications); other codecs carry the body as is.
 *
 * @example
 * ```ts
 * const bytes = encodeBody(defaultCodec, rpcToWire(request));
 * ```
 */
export function encodeBody(codec: WireCodec, body: Dict, enveloped = true): Buffer {
  if (!enveloped || !isJsonCodec(codec)) return codec.encode(body);
  // The envelope's JSON written around the escaped inner text: no object to build and walk per message.
  return Buffer.from(`${ENVELOPE_HEAD}${JSON.stringify(codec.stringify(body))}}`, 'utf8');
}

/**
 * Reads a body: a 2.x envelope is opened, a bare (1.0) dict taken as it is. Throws
 * `MalformedMessage` for anything else.
 *
 * @example
 * ```ts
 * const request = rpcFromWire(decodeBody(defaultCodec, bytes), expiresInMs);
 * ```
 */
export function decodeBody(codec: WireCodec, bytes: Buffer): Dict {
  if (!isJsonCodec(codec))
    return unenvelope(
      readWith(codec, () => codec.decode(bytes)),
      (text) => codec.decode(Buffer.from(text, 'utf8')),
    );
  const text = bytes.toString('utf8');
  const inner = envelopedMessage(text);
  if (inner !== undefined) return parseMessage(inner, codec.parse);
  return unenvelope(
    readWith(codec, () => codec.parse(text)),
    codec.parse,
  );
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
 * read as one JSON string instead of an object with a date check over all of it (cheaper, and it
 * runs on every message); undefined for any other text, which the full path then reads.
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
  if (!isRecord(decoded)) throw new MalformedMessage(`the body is ${describe(decoded)}, not an object`);
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
  if (!isRecord(body)) throw new MalformedMessage(`the enveloped message is ${describe(body)}, not an object`);
  return body;
}

/** @internal */
export function contextToWire(context: Context): Dict {
  const wire: Dict = {};
  for (const [key, value] of Object.entries(context)) wire[CONTEXT_PREFIX + key] = value;
  return wire;
}

/** @internal */
export function contextFromWire(body: Dict): Context {
  const context: Dict = {};
  // Every message passes here: a plain key loop, without the arrays Object.entries builds.
  for (const key in body) {
    // `_context___proto__` is a context key like any other, never the context's prototype.
    if (key.startsWith(CONTEXT_PREFIX)) setOwn(context, key.slice(CONTEXT_PREFIX.length), body[key]);
  }
  return context;
}

/** Throws `MalformedMessage` unless `value` is a string, null or absent. @internal */
export function optionalString(value: unknown, name: string): void {
  if (value != null && typeof value !== 'string') throw new MalformedMessage(`'${name}' is ${describe(value)}, not a string`);
}

/** 'an array', 'a number', ...: what a malformed field was instead. @internal */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}
