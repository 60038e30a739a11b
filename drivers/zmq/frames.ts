/**
 * What travels in a ZeroMQ message: `[kind, content type, body]`, the body in oslo's format
 * (lib/wire), JSON in oslo's 2.0 envelope or MessagePack. A ROUTER sees the sender's routing id
 * in front and writes it in front of a reply. The kind guards against a port reused by another
 * kind of socket after a restart: what a socket does not take is logged and dropped.
 */
import { defaultCodec, isJsonCodec, loadedMsgpack, loadMsgpack, MSGPACK_CONTENT_TYPE, type WireCodec } from '../../lib/wire/codec.js';
import { MalformedMessage } from '../../lib/core/errors.js';
import { decodeBody, encodeBody } from '../../lib/wire/envelope.js';
import { wireCopy } from '../../lib/wire/wire-copy.js';

/** What a message is, its first frame: a call or cast, a notification, a reply. @internal */
export type Kind = 'rpc' | 'notify' | 'reply';

/** The frames of a message; throws `UnserializableValue` for a body JSON would refuse or change, else what the codec throws. @internal */
export function encodeFrames(kind: Kind, codec: WireCodec, body: Record<string, unknown>, enveloped = true): [string, string, Buffer] {
  return [kind, codec.contentType, encodeBody(codec, isJsonCodec(codec) ? wireCopy(body) : body, enveloped)];
}

/** A received message: its body and the codec it came in (a reply goes back in the same). @internal */
export interface Decoded {
  readonly codec: WireCodec;
  readonly body: Record<string, unknown>;
}

/** Reads `[kind, content type, body]` (after the routing id on a ROUTER); throws `MalformedMessage` saying what is wrong. @internal */
export async function decodeFrames(frames: readonly Buffer[], expected: Kind): Promise<Decoded> {
  const [kind, contentType, bytes] = frames;
  if (frames.length !== 3 || !kind || !contentType || !bytes) throw new MalformedMessage(`expected 3 frames [kind, content type, body], got ${frames.length}`);
  if (kind.toString() !== expected) throw new MalformedMessage(`a '${kind.toString()}' message reached a socket that takes '${expected}'`);
  const type = contentType.toString();
  const codec = type === defaultCodec.contentType ? defaultCodec : type === MSGPACK_CONTENT_TYPE ? (loadedMsgpack() ?? (await loadMsgpack())) : undefined;
  if (!codec) throw new MalformedMessage(`unknown content type '${type}'`);
  return { codec, body: decodeBody(codec, bytes) };
}
