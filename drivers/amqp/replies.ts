/**
 * Both ends of RPC replies. The caller's side: one `reply_<hex>` queue per transport, declared
 * on first use and consumed for as long as the transport lives (consumed again after a
 * reconnect while it still exists, so replies sent meanwhile wait in it; once it is gone, a
 * fresh queue takes its place), every reply pushed to one hot
 * `replies$`. The server's side: replies published mandatory to the default exchange; when the
 * caller's queue is missing the broker returns them, and they wait (bounded) to be sent again every
 * 0.25 s for `kombu_missing_consumer_retry_timeout`, then are dropped and the queue remembered as
 * gone, as oslo.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'amqplib';
import { type Observable, Subject } from 'rxjs';
import type { WireCodec } from '../../lib/wire/codec.js';
import type { Reply, ReplyChannel, ServerIdentity } from '../../lib/driver/rpc.js';
import { MessageDeliveryFailure, MessageUndeliverable, TransportClosed } from '../../lib/core/errors.js';
import { hexId } from '../../lib/core/ids.js';
import { getLogger } from '../../lib/core/logger.js';
import { replyQueue } from '../../lib/core/target.js';
import { MalformedMessage } from '../../lib/core/errors.js';
import { replyFromWire, replyToWire } from '../../lib/wire/rpc.js';
import type { Link } from './connection.js';
import { consume, type ConsumerScope } from './consume.js';
import { isDirectReplyAddress } from './direct-reply.js';
import { decodable, decodeMessage, encodeAndSend, originOf } from './message.js';
import type { AmqpOptions } from './options.js';
import type { Publisher, PublishRequest } from './publish.js';
import { replyTopology, uniqueQueueId } from './topology.js';

const log = getLogger('rx-messaging.amqp');

/** How often a returned reply is sent again (oslo's 0.25 s). */
const REPLY_RETRY_MS = 250;
/** How many replies may wait for their callers' queues in all; past it a reply is dropped with an error logged. */
const MAX_PARKED_REPLIES = 10_000;
/** oslo's ObsoleteReplyQueuesCache: 200 queues, each for 60 s. */
const OBSOLETE_SIZE = 200;
const OBSOLETE_TTL_MS = 60_000;

/**
 * How long the reply queue may answer 404 (gone, or its cluster node down) before the channel
 * gives it up for a fresh queue: none. Made again under the same name, it came back as a queue
 * the servers' replies could not reach for as long as its old node was away, and every later
 * reply to it waited behind them. So it is made once (`madeOnce`) and only checked after that.
 */
const REPLY_QUEUE_NOT_FOUND_MS = 0;
/** The pause before consuming a fresh reply queue after the last one failed, doubled on each failure in a row up to 5 s. */
const FRESH_QUEUE_FIRST_DELAY_MS = 100;
const FRESH_QUEUE_MAX_DELAY_MS = 5_000;

/** One reply queue of the channel's life: its name and what arrives on it. */
interface Generation {
  readonly id: string;
  readonly address: string;
  readonly replies: Subject<Reply>;
  readonly replies$: Observable<Reply>;
}

/**
 * The caller's reply channel, created on the first `get()` and kept until the transport closes.
 * When its queue cannot be consumed any more (its node is down for good, or it stays refused),
 * the channel moves to a fresh queue: `address` and `replies$` change at once, so calls sent
 * afterwards carry the new `_reply_q`, and the calls still waiting on the old queue fail with
 * `TransportClosed` (their replies can no longer arrive).
 * @internal
 */
export function createReplyChannel(link: Link, scope: ConsumerScope, options: AmqpOptions): () => Promise<ReplyChannel> {
  let channel: Promise<ReplyChannel> | undefined;
  return () => {
    channel ??= open().catch((error: unknown) => {
      // The first queue could not be consumed: the next call tries again from scratch.
      channel = undefined;
      throw error;
    });
    return channel;
  };

  function open(): Promise<ReplyChannel> {
    return new Promise<ReplyChannel>((resolve, reject) => {
      let opened = false;
      let failures = 0;
      let pending: ReturnType<typeof setTimeout> | undefined;
      let current = generation();
      const replyChannel: ReplyChannel = {
        get address() {
          return current.address;
        },
        get replies$() {
          return current.replies$;
        },
      };
      const closing = scope.closing$.subscribe(() => {
        // Closed while a fresh queue waited for its pause: nobody consumes it, so end it here.
        if (pending === undefined) return;
        clearTimeout(pending);
        pending = undefined;
        current.replies.complete();
      });
      const consumeGeneration = ({ id, address, replies }: Generation) =>
        consume(link, scope, {
          description: `reply queue ${address}`,
          topology: replyTopology(options, id),
          prefetch: 0,
          noAck: true,
          notFoundTimeoutMs: REPLY_QUEUE_NOT_FOUND_MS,
          madeOnce: true,
          onConsuming: () => {
            failures = 0;
            if (opened) return log.info(`replies now arrive on the fresh reply queue ${address}`);
            opened = true;
            resolve(replyChannel);
          },
        })
          .pipe(decodable())
          .subscribe({
            next: (delivery) => {
              const reply = readReply(delivery.message, options.rabbit_max_inflated_bytes);
              if (reply) replies.next(reply);
            },
            error: (error: Error) => {
              if (!opened) {
                log.error(`the reply queue ${address} cannot be consumed`, { error: error.message });
                closing.unsubscribe();
                reject(error);
                replies.error(error);
                return;
              }
              // Switch first, so calls sent from now on name the fresh queue; consume it after a pause that grows while queues keep failing.
              const delay = Math.min(FRESH_QUEUE_FIRST_DELAY_MS * 2 ** failures++, FRESH_QUEUE_MAX_DELAY_MS);
              current = generation();
              log.warn(`the reply queue ${address} cannot be consumed any more; moving to the fresh reply queue ${current.address}`, { error: error.message, inMs: delay });
              replies.error(new TransportClosed(`The reply queue ${address} was lost before the reply arrived: ${error.message}`, { cause: error }));
              const next = current;
              pending = setTimeout(() => {
                pending = undefined;
                consumeGeneration(next);
              }, delay);
            },
            // The transport closed: callers still waiting see the stream end (and fail with TransportClosed).
            complete: () => {
              closing.unsubscribe();
              replies.complete();
            },
          });
      consumeGeneration(current);
    });
  }

  function generation(): Generation {
    const id = uniqueQueueId(options);
    const replies = new Subject<Reply>();
    return { id, address: replyQueue(id), replies, replies$: replies.asObservable() };
  }
}

/** The reply in `message`, or undefined (logged) when it cannot be read. @internal */
export function readReply(message: Message, maxInflatedBytes: number): Reply | undefined {
  try {
    return replyFromWire(decodeMessage(message, maxInflatedBytes));
  } catch (error) {
    const malformed = error instanceof MalformedMessage;
    // Consumed without acks: the broker already forgot it, so dropping it is the rejection.
    log[malformed ? 'warn' : 'error']('rejected a reply that cannot be read', { ...originOf(message), reason: (error as Error).message });
    return undefined;
  }
}

/** @internal */
export interface ReplySender {
  /**
   * Sends one reply (a value, a failure, the end) in `codec` (the request's). Resolves once the
   * broker has it, or once it waits for its caller's missing queue; drops it when that queue is gone.
   */
  reply(replyTo: string, reply: Reply, codec: WireCodec): Promise<void>;
  /** Tells the caller the call is still being worked on (naming `server` if given); fails when its queue is gone. */
  heartbeat(replyTo: string, msgId: string, codec: WireCodec, server?: ServerIdentity): Promise<void>;
}

/** @internal */
export function createReplySender(publisher: Publisher, options: AmqpOptions, signal: AbortSignal): ReplySender {
  // Each retrier of a missing queue listens for the close: as many as there are such queues.
  setMaxListeners(0, signal);
  const obsolete = new Map<string, number>();
  const isObsolete = (queue: string) => {
    const until = obsolete.get(queue);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    obsolete.delete(queue);
    return false;
  };
  const remember = (queue: string) => {
    obsolete.delete(queue);
    obsolete.set(queue, Date.now() + OBSOLETE_TTL_MS);
    // A Map iterates in insertion order: the first key is the oldest.
    if (obsolete.size > OBSOLETE_SIZE) obsolete.delete(obsolete.keys().next().value as string);
  };
  /** Encodes `reply` for its caller's queue and hands the publish request to `send`. */
  const toCaller = (replyTo: string, reply: Reply, codec: WireCodec, send: (request: PublishRequest) => Promise<void>): Promise<void> =>
    encodeAndSend(
      () => replyToWire(reply, hexId()),
      { codec, enveloped: true, compression: options.kombu_compression },
      (message) =>
        // The default exchange routes by queue name and needs no declaration. A direct reply-to
        // address is never mandatory: RabbitMQ (3.10) returns such a reply even when it delivers it,
        // and one whose caller's channel is gone is dropped, with nothing to wait for.
        send({ exchange: '', routingKey: replyTo, message, mandatory: options.direct_mandatory_flag && !isDirectReplyAddress(replyTo) }),
    );
  /**
   * Replies the broker returned (their queue is missing) or nacked (its node is down), per caller
   * queue in the order they were sent. One retrier per queue sends them again, so a server whose
   * callers lost their queue frees its handlers at once instead of each one retrying for a minute.
   */
  const parked = new Map<string, ParkedReply[]>();
  let parkedCount = 0;
  const park = (request: PublishRequest, msgId: string, why: string): void => {
    const replyTo = request.routingKey;
    if (parkedCount >= MAX_PARKED_REPLIES) {
      log.error(`dropping the reply ${msgId}: its queue ${replyTo} ${why}, and ${MAX_PARKED_REPLIES} replies already wait for their queues`);
      return;
    }
    parkedCount++;
    const waiting = parked.get(replyTo);
    if (waiting) {
      waiting.push({ request, msgId });
      return;
    }
    log.debug(`the reply ${msgId} could not be sent: its queue ${replyTo} ${why}. Retrying`);
    const first = [{ request, msgId }];
    parked.set(replyTo, first);
    void retry(replyTo, first, why);
  };
  /** Sends `waiting` to `replyTo` every 0.25 s, in order, until the queue takes them all or time is up. */
  const retry = async (replyTo: string, waiting: ParkedReply[], why: string): Promise<void> => {
    const giveUpAt = Date.now() + options.kombu_missing_consumer_retry_timeout * 1000;
    try {
      while (waiting.length > 0) {
        if (Date.now() >= giveUpAt) {
          remember(replyTo);
          log.error(
            `${waiting.length} replies (${waiting[0]!.msgId} first) failed to send after ${options.kombu_missing_consumer_retry_timeout} s: their queue ${replyTo} ${why}. Abandoning them`,
          );
          return;
        }
        await pause(signal);
        while (waiting.length > 0) {
          const { request, msgId } = waiting[0]!;
          try {
            await publisher.publish(request);
          } catch (error) {
            const refused = refusal(error);
            if (refused) {
              why = refused;
              break;
            }
            log.error(`the reply ${msgId} to ${replyTo} failed to send: ${(error as Error).message}. Dropping it`);
          }
          waiting.shift();
          parkedCount--;
        }
      }
    } catch (error) {
      log.warn(`dropping ${waiting.length} replies waiting for ${replyTo}: ${(error as Error).message}`);
    } finally {
      parkedCount -= waiting.length;
      parked.delete(replyTo);
    }
  };
  return {
    reply(replyTo, reply, codec) {
      if (isObsolete(replyTo)) {
        log.warn(`${replyTo} does not exist, dropping the reply to ${reply.msgId}`);
        return Promise.resolve();
      }
      return toCaller(replyTo, reply, codec, (request) => {
        // Behind replies already waiting for this queue: in line after them, to keep the order.
        if (parked.has(replyTo)) return Promise.resolve(park(request, reply.msgId, 'is still missing'));
        return publisher.publish(request).catch((error: unknown) => {
          const refused = refusal(error);
          if (!refused) throw error;
          park(request, reply.msgId, refused);
        });
      });
    },
    async heartbeat(replyTo, msgId, codec, server) {
      if (isObsolete(replyTo)) return;
      try {
        await toCaller(replyTo, { msgId, result: null, failure: null, ending: false, server }, codec, (request) => publisher.publish(request));
      } catch (error) {
        if (error instanceof MessageUndeliverable) throw new MessageDeliveryFailure(`Heartbeat send failed: the caller's reply queue ${replyTo} is missing`, { cause: error });
        throw error;
      }
    },
  };
}

/** A reply waiting for its caller's queue. */
interface ParkedReply {
  readonly request: PublishRequest;
  readonly msgId: string;
}

/**
 * Why the broker would not take a reply for now, or undefined when it is another error: the
 * queue is missing (the reply came back) or down (nacked; amqplib names a nack 'message nacked').
 */
function refusal(error: unknown): string | undefined {
  if (error instanceof MessageUndeliverable) return 'is missing';
  if (error instanceof MessageDeliveryFailure && error.cause instanceof Error && error.cause.message === 'message nacked') return 'refused it (nacked)';
  return undefined;
}

async function pause(signal: AbortSignal): Promise<void> {
  try {
    await sleep(REPLY_RETRY_MS, undefined, { signal });
  } catch (error) {
    if (signal.aborted) throw new TransportClosed("The transport was closed while a reply waited for its caller's queue", { cause: error });
    throw error;
  }
}
