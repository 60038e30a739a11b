/**
 * Wire codecs turn message bodies into bytes and back. JSON is the default and the only one oslo
 * peers understand; the codec is marked on the wire by its content type.
 */

/** kombu's content type for MessagePack bodies. Here rather than in msgpack-codec.ts, which loads msgpackr: drivers read it before choosing to load it. @internal */
export const MSGPACK_CONTENT_TYPE = 'application/x-msgpack';

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

/** oslo's datetime text: ISO 8601 without a zone, microseconds; e.g. "1920-02-03T04:05:06.000007". */
const OSLO_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?$/;

/** Whether `text` is a whole oslo datetime; the length and the `T` are checked first, as most strings are not. @internal */
export function isOsloDatetime(text: string): boolean {
  return text.length >= 19 && text.length <= 26 && text.charCodeAt(10) === 84 && OSLO_DATETIME.test(text);
}

/**
 * A Date as oslo's `jsonutils` writes a naive UTC datetime.
 *
 * @example
 * ```ts
 * formatDate(new Date('2026-11-22T05:25:21.387Z')); // '2026-11-22T05:25:21.387000'
 * ```
 */
export function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/**
 * oslo's datetime text (taken as UTC) as a Date, to the millisecond.
 *
 * @example
 * ```ts
 * parseDate('2026-11-22T05:25:21.387733'); // 2026-11-22T05:25:21.387Z
 * ```
 */
export function parseDate(text: string): Date {
  const [seconds, fraction = ''] = text.split('.');
  return new Date(`${seconds}.${fraction.padEnd(3, '0').slice(0, 3)}Z`);
}

/** Options of `jsonCodec`. */
export interface JsonCodecOptions {
  /** Turn strings in oslo's datetime format back into Dates on decode (default true). */
  readonly reviveDates?: boolean;
}

/** What Date#toJSON writes, as a whole JSON string. */
const ISO_DATE_IN_TEXT = /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/;
/** oslo's datetime format, as a whole JSON string. */
const OSLO_DATETIME_IN_TEXT = /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?"/;

/** A first look, far cheaper than the regexes: a 'T' followed by hh:mm:ss, as in every datetime. */
function mayHoldDatetime(text: string): boolean {
  for (let i = text.indexOf('T'); i !== -1; i = text.indexOf('T', i + 1)) {
    if (text.charCodeAt(i + 3) === 58 && text.charCodeAt(i + 6) === 58) return true;
  }
  return false;
}

/**
 * oslo's JSON: Dates written as oslo's naive UTC datetime text and, unless `reviveDates` is
 * false, such text read back as Dates.
 *
 * @example
 * ```ts
 * const codec = jsonCodec({ reviveDates: false });
 * codec.decode(codec.encode({ at: new Date(0) })); // { at: '1970-01-01T00:00:00.000000' }
 * ```
 */
export function jsonCodec({ reviveDates = true }: JsonCodecOptions = {}): JsonCodec {
  // Date#toJSON runs before a replacer sees the value, so the replacer reads the holder's raw field.
  const replacer = function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? formatDate(raw) : value;
  };
  const reviver = (_key: string, value: unknown) => (typeof value === 'string' && isOsloDatetime(value) ? parseDate(value) : value);
  // A replacer or reviver makes JSON several times slower, and most messages hold no date: take
  // the plain path, and the careful one only when the text shows a date.
  const stringify = (value: unknown) => {
    const text = JSON.stringify(value);
    return text !== undefined && mayHoldDatetime(text) && ISO_DATE_IN_TEXT.test(text) ? JSON.stringify(value, replacer) : text;
  };
  const parse = (text: string) => (reviveDates && mayHoldDatetime(text) && OSLO_DATETIME_IN_TEXT.test(text) ? JSON.parse(text, reviver) : JSON.parse(text));
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
