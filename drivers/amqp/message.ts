/**
 * oslo bodies as AMQP messages and back: the properties every oslo message carries
 * (content type json, utf-8, persistent, priority 0), kombu's optional compression, and the
 * checks that turn anything else into a `MalformedMessage` the consumer rejects.
 *
 * Between rx-messaging services the body may be MessagePack (`codec: 'msgpack'`): content type
 * `application/x-msgpack`, no content encoding, the body bare. A receiver picks the codec by each
 * message's content type; msgpackr is imported only when MessagePack is chosen or first arrives.
 */
import { promisify } from 'node:util';
import { deflate, inflateSync } from 'node:zlib';
import type { Message, Options } from 'amqplib';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { defaultCodec, isJsonCodec, loadedMsgpack, loadMsgpack, MSGPACK_CONTENT_TYPE, type WireCodec } from '../../lib/wire/codec.js';
import { getLogger } from '../../lib/core/logger.js';
import { MalformedMessage } from '../../lib/core/errors.js';
import { decodeBody, encodeBody } from '../../lib/wire/envelope.js';
import { wireCopy } from '../../lib/wire/wire-copy.js';

const log = getLogger('rx-messaging.amqp');

/** The codec a received message is written in; undefined for a content type nobody here reads, or MessagePack not loaded yet. @internal */
export function codecOf(message: Message): WireCodec | undefined {
  const type = message.properties.contentType;
  return type === defaultCodec.contentType ? defaultCodec : type === MSGPACK_CONTENT_TYPE ? loadedMsgpack() : undefined;
}

/**
 * Passes deliveries on in order. The first MessagePack one to arrive before msgpackr is loaded
 * waits for the import, and every delivery after it waits behind it; JSON never waits.
 * @internal
 */
export function decodable<T extends { readonly message: Message }>(): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      let waiting: T[] | undefined;
      let completed = false;
      const release = () => {
        const held = waiting ?? [];
        waiting = undefined;
        for (const item of held) subscriber.next(item);
        if (completed) subscriber.complete();
      };
      const subscription = source.subscribe({
        next: (item) => {
          if (waiting) waiting.push(item);
          else if (loadedMsgpack() || item.message.properties.contentType !== MSGPACK_CONTENT_TYPE) subscriber.next(item);
          else {
            waiting = [item];
            loadMsgpack().then(release, (error: unknown) => {
              // The deliveries are then rejected as unreadable, one by one, and the stream goes on.
              log.error('cannot load the MessagePack codec (msgpackr)', { error: String(error) });
              release();
            });
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          completed = true;
          if (!waiting) subscriber.complete();
        },
      });
      return subscription;
    });
}

const deflateAsync = promisify(deflate);

/** kombu's name for zlib data (it says gzip but writes a zlib stream). */
const GZIP = 'application/x-gzip';

/** @internal */
export interface OutgoingMessage {
  readonly content: Buffer;
  /** amqplib's publish options; the publisher sets `mandatory` on them (they are this message's own). */
  readonly properties: Options.Publish;
}

interface EncodeOptions {
  /** JSON (oslo's) or, between rx-messaging services, MessagePack. */
  readonly codec: WireCodec;
  /** Wrap a JSON body in oslo's 2.0 envelope (all but v1 notifications). */
  readonly enveloped: boolean;
  /** `kombu_compression`. */
  readonly compression: string | undefined;
  /** Call requests expire when their caller stops waiting. */
  readonly expirationMs?: number;
  /** The AMQP `reply_to` property (direct reply-to's advertisement on call requests). */
  readonly replyTo?: string;
}

// amqplib builds each message's header table as Object.create(headers): a fresh object as a
// prototype costs V8 a map transition per message, a shared one does not.
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const GZIP_HEADERS: Readonly<Record<string, string>> = Object.freeze({ compression: GZIP });

/** The message for `body`; a promise only when it is compressed. */
function encodeMessage(body: Record<string, unknown>, { codec, enveloped, compression, expirationMs, replyTo }: EncodeOptions): OutgoingMessage | Promise<OutgoingMessage> {
  // JSON would drop a function and turn NaN into null without a word: its body goes through the memory driver's check.
  const encoded = encodeBody(codec, isJsonCodec(codec) ? wireCopy(body) : body, enveloped);
  const expiration = expirationMs !== undefined && Number.isFinite(expirationMs) && expirationMs > 0 ? String(Math.ceil(expirationMs)) : undefined;
  const gzip = compression === 'gzip';
  const properties: Options.Publish = {
    contentType: codec.contentType,
    // MessagePack is binary: kombu sends it without a content encoding too.
    contentEncoding: isJsonCodec(codec) ? 'utf-8' : undefined,
    deliveryMode: 2,
    priority: 0,
    headers: gzip ? GZIP_HEADERS : NO_HEADERS,
    expiration,
    replyTo,
    mandatory: false,
  };
  if (!gzip) return { content: encoded, properties };
  return deflateAsync(encoded).then((content) => ({ content, properties }));
}

/**
 * Encodes the body and hands the message to `send`, at once unless it is compressed: every call,
 * cast, notification and reply comes here, so there is no Promise hop on the way. A body that
 * cannot be encoded (a bigint, a cycle) is a rejection with `UnserializableValue`, never a throw into the caller.
 * @internal
 */
export function encodeAndSend(body: () => Record<string, unknown>, encoding: EncodeOptions, send: (message: OutgoingMessage) => Promise<void>): Promise<void> {
  try {
    const message = encodeMessage(body(), encoding);
    return message instanceof Promise ? message.then(send) : send(message);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The oslo body of a received message (envelope opened); throws `MalformedMessage` saying why not,
 * also when a compressed body would inflate past `maxInflatedBytes`. @internal
 */
export function decodeMessage(message: Message, maxInflatedBytes: number): Record<string, unknown> {
  const { contentType, contentEncoding, headers } = message.properties;
  const codec = codecOf(message);
  if (!codec) {
    throw new MalformedMessage(
      contentType === MSGPACK_CONTENT_TYPE
        ? 'the body is MessagePack and the MessagePack codec (msgpackr) cannot be loaded'
        : `content type ${JSON.stringify(contentType ?? null)} is neither ${defaultCodec.contentType} nor ${MSGPACK_CONTENT_TYPE}`,
    );
  }
  if (codec === defaultCodec && contentEncoding != null && !/^utf-?8$/i.test(String(contentEncoding))) {
    throw new MalformedMessage(`content encoding ${JSON.stringify(contentEncoding)} is not utf-8`);
  }
  const compression = headers?.['compression'];
  let content = message.content;
  if (compression != null) {
    if (compression !== GZIP) throw new MalformedMessage(`the body is compressed as ${JSON.stringify(compression)}; only ${GZIP} (zlib) is understood`);
    try {
      // Stops inflating at the limit: a small bomb never gets to fill the memory.
      content = inflateSync(message.content, { maxOutputLength: maxInflatedBytes });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new MalformedMessage(`the ${GZIP} body of ${message.content.length} bytes inflates past rabbit_max_inflated_bytes (${maxInflatedBytes} bytes)`);
      }
      throw new MalformedMessage(`the ${GZIP} body does not inflate: ${(error as Error).message}`);
    }
  }
  return decodeBody(codec, content);
}

/** A call request's expiry in ms, as the transport knows it (0 when the message has none). @internal */
export function expirationOf(message: Message): number {
  const ms = Number(message.properties.expiration);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** Where a message came from, for logs. @internal */
export function originOf(message: Message): Record<string, unknown> {
  return { exchange: message.fields.exchange, routingKey: message.fields.routingKey, contentType: message.properties.contentType ?? null, bytes: message.content.length };
}
