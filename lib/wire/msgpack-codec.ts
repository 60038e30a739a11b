/**
 * A MessagePack wire codec (msgpackr) for traffic between rx-messaging services: smaller bodies
 * and, for binary data and dates, no text round trip. oslo.messaging peers read JSON only, so
 * JSON stays the default and a receiver picks the codec by the message's content type.
 *
 * Bodies are plain MessagePack maps (msgpackr's record extension is off), readable by any
 * MessagePack library; the content type is kombu's, `application/x-msgpack`. Differences from
 * JSON: Dates travel as the MessagePack timestamp and come back as Dates; Buffers and typed
 * arrays as binary; `undefined` as nil (JSON drops such a key). 64-bit integers from other
 * encoders decode to numbers, as JSON would.
 */
import { C1, Packr } from 'msgpackr';
import { MsgpackDecodeError } from '../core/errors.js';
import { MSGPACK_CONTENT_TYPE, type WireCodec } from './codec.js';

/** @internal */
export function msgpackCodec(): WireCodec {
  const packr = new Packr({
    useRecords: false,
    mapsAsObjects: true,
    encodeUndefinedAsNil: true,
    int64AsType: 'number',
    // A decoded Buffer must not keep the whole received frame alive.
    copyBuffers: true,
  });
  return {
    contentType: MSGPACK_CONTENT_TYPE,
    encode: (value) => packr.pack(value),
    decode: (bytes) => {
      let value: unknown;
      try {
        value = packr.unpack(bytes);
      } catch (error) {
        throw new MsgpackDecodeError(bytes.length, { cause: error });
      }
      // 0xc1 is "never used" in MessagePack; msgpackr hands it back as a marker instead of failing.
      if (value === C1) throw new MsgpackDecodeError(bytes.length, { cause: new Error('0xc1 is not a MessagePack value') });
      return value;
    },
  };
}
