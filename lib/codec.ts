/**
 * Wire codecs turn message bodies into bytes and back. JSON is the default and the only one oslo
 * peers understand; the codec is marked on the wire by its content type.
 */

export interface WireCodec {
  readonly contentType: string;
  encode(value: unknown): Buffer;
  decode(bytes: Buffer): unknown;
}

/** oslo's datetime text: ISO 8601 without a zone, microseconds; e.g. "1920-02-03T04:05:06.000007". */
const OSLO_DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?$/;

/** A Date as oslo's `jsonutils` writes a naive UTC datetime. */
export function formatDate(date: Date): string {
  return `${date.toISOString().slice(0, 23)}000`;
}

/** oslo's datetime text (taken as UTC) as a Date. */
export function parseDate(text: string): Date {
  const [seconds, fraction = ''] = text.split('.');
  return new Date(`${seconds}.${fraction.padEnd(3, '0').slice(0, 3)}Z`);
}

export interface JsonCodecOptions {
  /** Turn strings in oslo's datetime format back into Dates on decode (default true). */
  readonly reviveDates?: boolean;
}

export function jsonCodec({ reviveDates = true }: JsonCodecOptions = {}): WireCodec {
  // Date#toJSON runs before a replacer sees the value, so the replacer reads the holder's raw field.
  const replacer = function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    return raw instanceof Date ? formatDate(raw) : value;
  };
  const reviver = (_key: string, value: unknown) => (typeof value === 'string' && OSLO_DATETIME.test(value) ? parseDate(value) : value);
  return {
    contentType: 'application/json',
    encode: (value) => Buffer.from(JSON.stringify(value, replacer), 'utf8'),
    decode: (bytes) => JSON.parse(bytes.toString('utf8'), reviveDates ? reviver : undefined),
  };
}

export const defaultCodec: WireCodec = jsonCodec();
