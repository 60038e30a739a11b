/**
 * oslo bodies as AMQP messages and back: the properties every oslo message carries
 * (content type json, utf-8, persistent, priority 0), kombu's optional compression, and the
 * checks that turn anything else into a `MalformedMessage` the consumer rejects.
 */
import { promisify } from 'node:util';
import { deflate, inflateSync } from 'node:zlib';
import type { Message, Options } from 'amqplib';
import { defaultCodec } from '../../lib/codec.js';
import { decodeBody, encodeBody, MalformedMessage } from '../../lib/wire.js';

const deflateAsync = promisify(deflate);

/** kombu's name for zlib data (it says gzip but writes a zlib stream). */
const GZIP = 'application/x-gzip';

export interface OutgoingMessage {
  readonly content: Buffer;
  /** amqplib's publish options; the publisher sets `mandatory` on them (they are this message's own). */
  readonly properties: Options.Publish;
}

export interface EncodeOptions {
  /** Wrap the body in oslo's 2.0 envelope (all but v1 notifications). */
  readonly enveloped: boolean;
  /** `kombu_compression`. */
  readonly compression: string | undefined;
  /** Call requests expire when their caller stops waiting. */
  readonly expirationMs?: number;
}

// amqplib builds each message's header table as Object.create(headers): a fresh object as a
// prototype costs V8 a map transition per message, a shared one does not.
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const GZIP_HEADERS: Readonly<Record<string, string>> = Object.freeze({ compression: GZIP });

/** The message for `body`; a promise only when it is compressed. */
export function encodeMessage(body: Record<string, unknown>, { enveloped, compression, expirationMs }: EncodeOptions): OutgoingMessage | Promise<OutgoingMessage> {
  const encoded = encodeBody(defaultCodec, body, enveloped);
  const expiration = expirationMs !== undefined && Number.isFinite(expirationMs) && expirationMs > 0 ? String(Math.ceil(expirationMs)) : undefined;
  const gzip = compression === 'gzip';
  const properties: Options.Publish = {
    contentType: defaultCodec.contentType,
    contentEncoding: 'utf-8',
    deliveryMode: 2,
    priority: 0,
    headers: gzip ? GZIP_HEADERS : NO_HEADERS,
    expiration,
    mandatory: false,
  };
  if (!gzip) return { content: encoded, properties };
  return deflateAsync(encoded).then((content) => ({ content, properties }));
}

/** The oslo body of a received message (envelope opened); throws `MalformedMessage` saying why not. */
export function decodeMessage(message: Message): Record<string, unknown> {
  const { contentType, contentEncoding, headers } = message.properties;
  if (contentType !== defaultCodec.contentType) {
    throw new MalformedMessage(`content type ${JSON.stringify(contentType ?? null)} is not ${defaultCodec.contentType}`);
  }
  if (contentEncoding != null && !/^utf-?8$/i.test(String(contentEncoding))) {
    throw new MalformedMessage(`content encoding ${JSON.stringify(contentEncoding)} is not utf-8`);
  }
  const compression = headers?.['compression'];
  let content = message.content;
  if (compression != null) {
    if (compression !== GZIP) throw new MalformedMessage(`the body is compressed as ${JSON.stringify(compression)}; only ${GZIP} (zlib) is understood`);
    try {
      content = inflateSync(message.content);
    } catch (error) {
      throw new MalformedMessage(`the ${GZIP} body does not inflate: ${(error as Error).message}`);
    }
  }
  return decodeBody(defaultCodec, content);
}

/** A call request's expiry in ms, as the transport knows it (0 when the message has none). */
export function expirationOf(message: Message): number {
  const ms = Number(message.properties.expiration);
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** Where a message came from, for logs. */
export function originOf(message: Message): Record<string, unknown> {
  return { exchange: message.fields.exchange, routingKey: message.fields.routingKey, contentType: message.properties.contentType ?? null, bytes: message.content.length };
}
