/**
 * Wire codecs turn message bodies into bytes and back. JSON is the default and the only one oslo
 * peers understand; the codec is marked on the wire by its content type.
 */
import { formatDate } from '../core/datetime.js';

/** kombu's content type for MessagePack bodies. Here rather than in msgpack-codec.ts, which loads msgpackr: drivers read it before choosing to load it. @internal */
export const MSGPACK_CONTENT_TYPE = 'application/x-msgpack';

let msgpack: WireCodec | undefined;
let loadingMsgpack: Promise<WireCodec> | undefined;

/** The MessagePack codec if it is loaded, else undefined: what a driver checks per message without a Promise. @internal */
export function loadedMsgpack(): WireCodec | undefined {
  return msgpack;
}

/** The MessagePack codec (msgpackr, an optional peer dependency), imported on first use; a failed import is tried again next time. @internal */
export function loadMsgpack(): Promise<WireCodec> {
  loadingMsgpack ??= import('./msgpack-codec.js').then(
    (module) => (msgpack = module.msgpackCodec()),
    (error: unknown) => {
      loadingMsgpack = undefined;
      throw error;
    },
  );
  return loadingMsgpack;
}

/** Turns a message body into bytes and back; receivers pick the codec by the message's content type. */
export interface WireCodec {
  /** The MIME type that marks its bodies on the wire, e.g. 'application/json'. */
  readonly contentType: string;
  /** The bytes of `value`; throws when it cannot be encoded. */
  encode(value: unknown): Buffer;
  /** The value of `bytes`; throws when they are not this codec's. */
  decode(bytes: Buffer): unknown;
}

/** The JSON codec also works on text: oslo's envelope carries the message as a JSON string. */
export interface JsonCodec extends WireCodec {
  /** The JSON text of `value`, Dates in oslo's datetime format. */
  stringify(value: unknown): string;
  /** The value of JSON `text`. */
  parse(text: string): unknown;
}

/**
 * Whether `codec` is a JSON codec, which also works on text (and so goes in oslo's envelope).
 *
 * @example
 * ```ts
 * isJsonCodec(defaultCodec); // true
 * ```
 */
export function isJsonCodec(codec: WireCodec): codec is JsonCodec {
  return typeof (codec as Partial<JsonCodec>).stringify === 'function';
}

export { formatDate, isOsloDatetime, parseDate } from '../core/datetime.js';

/** What Date#toJSON writes, as a whole JSON string. */
const ISO_DATE_IN_TEXT = /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/;

/** A first look, far cheaper than the regexes: a 'T' followed by hh:mm:ss, as in every datetime. */
function mayHoldDatetime(text: string): boolean {
  for (let i = text.indexOf('T'); i !== -1; i = text.indexOf('T', i + 1)) {
    if (text.charCodeAt(i + 3) === 58 && text.charCodeAt(i + 6) === 58) return true;
  }
  return false;
}

/**
 * JSON as oslo's `jsonutils` writes it: a Date becomes oslo's datetime text. Decoding is plain
 * JSON: oslo never turns a string back into a datetime, and a value only passed on must come out
 * as it went in, so a date-like string stays a string (revive dates with `datetimeSerializer`).
 *
 * @example
 * ```ts
 * const codec = jsonCodec();
 * codec.decode(codec.encode({ at: new Date(0) })); // { at: '1970-01-01T00:00:00.000000' }
 * ```
 */
export function jsonCodec(): JsonCodec {
  // Date#toJSON runs before a replacer sees the value, so the replacer reads the holder's raw field.
  const replacer = function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? formatDate(raw) : value;
  };
  // A replacer makes JSON several times slower, and most messages hold no Date: take the plain
  // path, and the careful one only when the text shows one.
  const stringify = (value: unknown) => {
    const text = JSON.stringify(value);
    return text !== undefined && mayHoldDatetime(text) && ISO_DATE_IN_TEXT.test(text) ? JSON.stringify(value, replacer) : text;
  };
  const parse = (text: string): unknown => JSON.parse(text);
  return {
    contentType: 'application/json',
    stringify,
    parse,
    encode: (value) => Buffer.from(stringify(value), 'utf8'),
    decode: (bytes) => parse(bytes.toString('utf8')),
  };
}

/** The JSON codec every transport uses unless told otherwise: `jsonCodec()` with its defaults. */
export const defaultCodec: JsonCodec = jsonCodec();
