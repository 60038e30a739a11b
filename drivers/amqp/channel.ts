/**
 * Channels on a link's connection, watched: amqplib throws on an 'error' event nobody listens
 * to, and a broker refusal (404, 406...) closes the channel it came on, so each use knows when
 * its channel is gone and why.
 */
import type { Channel, ChannelModel, ConfirmChannel } from 'amqplib';
import { getLogger } from '../../lib/core/logger.js';

const log = getLogger('rx-messaging.amqp');

/** A channel that is watched: amqplib throws on an 'error' nobody listens to, and a closed channel cannot be used. @internal */
export interface WatchedChannel<C extends Channel = Channel> {
  readonly channel: C;
  /** Settles when the channel closes: with the broker's error (a 404, a 406...) or undefined when the connection went or we closed it. */
  readonly closed: Promise<Error | undefined>;
  readonly isOpen: boolean;
  /** Closes it unless already closed. */
  close(): Promise<void>;
}

/** @internal */
export async function openChannel(model: ChannelModel, confirm: true): Promise<WatchedChannel<ConfirmChannel>>;
/** @internal */
export async function openChannel(model: ChannelModel, confirm?: false): Promise<WatchedChannel>;
/** @internal */
export async function openChannel(model: ChannelModel, confirm = false): Promise<WatchedChannel<Channel | ConfirmChannel>> {
  const channel = confirm ? await model.createConfirmChannel() : await model.createChannel();
  let open = true;
  let lastError: Error | undefined;
  channel.on('error', (error: Error) => {
    lastError = error;
  });
  const closed = new Promise<Error | undefined>((resolve) =>
    channel.once('close', () => {
      open = false;
      resolve(lastError);
    }),
  );
  return {
    channel,
    closed,
    get isOpen() {
      return open;
    },
    async close() {
      if (!open) return;
      open = false;
      // amqplib never settles close() when the connection dies before close-ok: the 'close' event still comes.
      await Promise.race([channel.close().catch((error: unknown) => log.debug('closing a channel failed: the connection went first', { error: String(error) })), closed]);
    },
  };
}

/** Runs `work` on a channel of its own, so a refusal closes only that channel. @internal */
export async function withChannel<T>(model: ChannelModel, work: (channel: Channel) => Promise<T>): Promise<T> {
  const watched = await openChannel(model);
  try {
    return await work(watched.channel);
  } finally {
    await watched.close();
  }
}

/** The AMQP reply code of an error from the broker (404, 406...), if it is one. @internal */
export function replyCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}
