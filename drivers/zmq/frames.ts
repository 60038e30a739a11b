/**
 * What travels in a ZeroMQ message: one or more frames, each frame one message, a header line
 * `<kind> <content type>\n` and then the body in oslo's format (lib/wire), JSON or MessagePack.
 * A message is one frame, not one per part (bench/README.md, "ZeroMQ in one frame"); a sender puts
 * the messages waiting for the same peer in one ZeroMQ message (sockets.ts).
 * Calls, casts and replies go as oslo's bare message dict: no Python peer speaks this transport,
 * and the 2.0 envelope (the message as a JSON string inside JSON) costs an encoding and a parse
 * more per message. Notifications keep the envelope their `version` asks for. A ROUTER sees the
 * sender's routing id in front and writes it in front of a reply. The kind guards against a port
 * reused by another kind of socket after a restart: what a socket does not take is logged and dropped.
 */
import { defaultCodec, isJsonCodec, loadedMsgpack, loadMsgpack, MSGPACK_CONTENT_TYPE, type WireCodec } from '../../lib/wire/codec.js';
import { MalformedMessage } from '../../lib/core/errors.js';
import { decodeBody, encodeBody } from '../../lib/wire/envelope.js';
import { wireCopy } from '../../lib/wire/wire-copy.js';

/** What a message is, named in its header: a call or cast, a notification, a reply. @internal */
export type Kind = 'rpc' | 'notify' | 'reply';

const NEWLINE = 0x0a;
/** A header is a short line; a frame without a newline this early has none. */
const MAX_HEADER = 64;

const headers: Record<Kind, Map<string, Buffer>> = { rpc: new Map(), notify: new Map(), reply: new Map() };
/** The header line of `kind` in `contentType`, made once per pair. */
function header(kind: Kind, contentType: string): Buffer {
  let bytes = headers[kind].get(contentType);
  if (!bytes) headers[kind].set(contentType, (bytes = Buffer.from(`${kind} ${contentType}\n`, 'latin1')));
  return bytes;
}

/** The frame of a message, the body bare unless `enveloped`; throws `UnserializableValue` for a body JSON would refuse or change, else what the codec throws. @internal */
export function encodeFrames(kind: Kind, codec: WireCodec, body: Record<string, unknown>, enveloped = false): [Buffer] {
  return [Buffer.concat([header(kind, codec.contentType), encodeBody(codec, isJsonCodec(codec) ? wireCopy(body) : body, enveloped)])];
}

/** A received message: its body and the codec it came in (a reply goes back in the same). @internal */
export interface Decoded {
  readonly codec: WireCodec;
  readonly body: Record<string, unknown>;
}

/**
 * Reads the message of one frame (those after the routing id on a ROUTER); throws `MalformedMessage`
 * saying what is wrong. A Promise only for the first MessagePack message, while msgpackr loads:
 * the rest is read at once, without a microtask a message. @internal
 */
export function decodeFrame(frame: Buffer, expected: Kind): Decoded | Promise<Decoded> {
  const end = frame.subarray(0, MAX_HEADER).indexOf(NEWLINE);
  if (end < 0) throw new MalformedMessage(`the frame does not start with a '<kind> <content type>' line`);
  const body = frame.subarray(end + 1);
  // The common case, compared as bytes: the expected kind in JSON.
  const json = header(expected, defaultCodec.contentType);
  if (end + 1 === json.length && frame.compare(json, 0, json.length, 0, json.length) === 0) return { codec: defaultCodec, body: decodeBody(defaultCodec, body) };
  const [kind, type] = frame.toString('latin1', 0, end).split(' ');
  if (kind !== expected) throw new MalformedMessage(`a '${kind}' message reached a socket that takes '${expected}'`);
  if (type !== MSGPACK_CONTENT_TYPE) throw new MalformedMessage(`unknown content type '${type}'`);
  const msgpack = loadedMsgpack();
  if (!msgpack) return loadMsgpack().then((codec) => ({ codec, body: decodeBody(codec, body) }));
  return { codec: msgpack, body: decodeBody(msgpack, body) };
}

/**
 * Reads each frame's message with `read` and hands it to `deliver`, in order; a frame that does not
 * decode, or that `read` refuses, goes to `malformed` alone and the rest go on. @internal
 */
export async function readFrames<T>(
  frames: readonly Buffer[],
  expected: Kind,
  read: (decoded: Decoded) => T,
  deliver: (value: T) => void,
  malformed: (error: Error) => void,
): Promise<void> {
  for (const frame of frames) {
    let value: T;
    try {
      const decoded = decodeFrame(frame, expected);
      value = read(decoded instanceof Promise ? await decoded : decoded);
    } catch (error) {
      malformed(error as Error);
      continue;
    }
    deliver(value);
  }
}
