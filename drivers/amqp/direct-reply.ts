/**
 * RabbitMQ's direct reply-to between rx-messaging services (`rabbit_direct_reply_to`). A call
 * request keeps oslo's body, `_reply_q` included, so a Python server answers through the
 * caller's `reply_<hex>` queue as ever; beside it the request carries the AMQP `reply_to`
 * property `amq.rabbitmq.reply-to`, which oslo never reads. The broker turns it into an address
 * of the publishing channel (`amq.rabbitmq.reply-to.<token>`), and an rx-messaging server that
 * sees one replies there: the reply goes from the server's channel straight to the caller's,
 * never through a queue.
 *
 * The caller consumes the pseudo-queue (without acks, as RabbitMQ requires) on each publishing
 * channel before anything is published on it. Such replies are not kept anywhere: when that
 * channel closes, the replies still to come are lost, so every call waiting then fails at once
 * with `TransportClosed`, whoever serves it (a Python server's reply would still come, but the
 * caller cannot tell which server took its request).
 */
import type { ConfirmChannel, Message } from 'amqplib';
import { merge, type Observable, Subject } from 'rxjs';
import type { Reply, ReplyChannel } from '../../lib/driver/rpc.js';
import { TransportClosed } from '../../lib/core/errors.js';
import { getLogger } from '../../lib/core/logger.js';
import type { WatchedChannel } from './channel.js';
import { decodable } from './message.js';
import { readReply } from './replies.js';

const log = getLogger('rx-messaging.amqp');

/** The pseudo-queue a caller consumes and names in `reply_to`. @internal */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** True for an address the broker made of `amq.rabbitmq.reply-to`. @internal */
export function isDirectReplyAddress(address: string): boolean {
  return address.startsWith(`${DIRECT_REPLY_TO}.`);
}

/** Where a request asks to be answered by direct reply-to, if it does (only rx-messaging callers do). @internal */
export function directReplyAddress(message: Message): string | undefined {
  const replyTo: unknown = message.properties.replyTo;
  return typeof replyTo === 'string' && isDirectReplyAddress(replyTo) ? replyTo : undefined;
}

/** @internal */
export interface DirectReplies {
  /** `channel` with the replies arriving by direct reply-to merged into its `replies$`. */
  wrap(channel: ReplyChannel): ReplyChannel;
  /** Consumes the pseudo-queue on a fresh publishing channel; the publisher publishes nothing on it before this resolves. */
  attach(watched: WatchedChannel<ConfirmChannel>): Promise<void>;
  /** The transport closed: calls still waiting end with the reply channel. */
  close(): void;
}

/** The replies of one publishing channel: they end with it. */
interface Epoch {
  readonly replies: Subject<Reply>;
  attached: boolean;
  /** `replies$` of the reply channel merged with these, for the reply queue generation it was made for. */
  merged?: { readonly queue$: Observable<Reply>; readonly replies$: Observable<Reply> };
}

/** @internal */
export function createDirectReplies(maxInflatedBytes: number): DirectReplies {
  const fresh = (): Epoch => ({ replies: new Subject<Reply>(), attached: false });
  // Calls read it before they publish: the channel their request goes out on attaches to it.
  let current = fresh();
  let wrapped: { readonly channel: ReplyChannel; readonly wrapper: ReplyChannel } | undefined;

  const mergedOf = (epoch: Epoch, queue$: Observable<Reply>): Observable<Reply> => {
    if (epoch.merged?.queue$ !== queue$) epoch.merged = { queue$, replies$: merge(queue$, epoch.replies) };
    return epoch.merged.replies$;
  };

  return {
    wrap(channel) {
      if (wrapped?.channel !== channel) {
        const wrapper: ReplyChannel = {
          get address() {
            return channel.address;
          },
          get replies$() {
            return mergedOf(current, channel.replies$);
          },
        };
        wrapped = { channel, wrapper };
      }
      return wrapped.wrapper;
    },

    async attach(watched) {
      // A channel opened before the last one's close was noticed gets an epoch of its own.
      if (current.attached) current = fresh();
      const epoch = current;
      epoch.attached = true;
      void watched.closed.then((error) => {
        if (current === epoch) current = fresh();
        const reason = error ? `: ${error.message}` : '';
        epoch.replies.error(new TransportClosed(`The publishing channel closed before the reply arrived by direct reply-to${reason}`, error && { cause: error }));
      });
      const deliveries = new Subject<{ readonly message: Message }>();
      deliveries.pipe(decodable()).subscribe(({ message }) => {
        const reply = readReply(message, maxInflatedBytes);
        if (reply) epoch.replies.next(reply);
      });
      await watched.channel.consume(
        DIRECT_REPLY_TO,
        (message) => {
          if (message) return deliveries.next({ message });
          // Cancelled by the broker: replies can no longer arrive on this channel.
          log.warn('the broker cancelled the direct reply-to consumer; closing the publishing channel');
          void watched.close();
        },
        { noAck: true },
      );
    },

    close() {
      current.replies.complete();
    },
  };
}
