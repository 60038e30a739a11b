/**
 * How a connection's frames reach its socket. amqplib (version 2, pinned by the lockfile) writes
 * each channel's frames into a stream of that channel, which a multiplexer empties into the socket
 * on `setImmediate`, one socket write per frame. On every call's path that costs two stream hops,
 * a wait for the end of the event loop's poll phase, and a syscall and a TCP segment per frame.
 *
 * - **Straight to the socket**: a frame of a channel with nothing queued goes to the socket at
 *   once, as amqplib already does for channel 0 and heartbeats. While the socket needs a drain,
 *   or the channel still has frames queued, it queues behind them on amqplib's path, so a channel's
 *   frames keep their order and backpressure still fills the channel's buffer (what makes
 *   amqplib's `publish` return false).
 * - **One write per turn**: the socket is corked on the first write of an event-loop turn and
 *   uncorked once the synchronous work that wrote it is done (process.nextTick), so the frames of
 *   that turn leave in one writev. Nothing waits for a timer, so no frame is delayed.
 *
 * Both reach into amqplib's internals; when they are not there (another amqplib), frames take
 * amqplib's own path.
 */
import type { Writable } from 'node:stream';
import type { ChannelModel } from 'amqplib';

/** A channel's frame stream: amqplib's PassThrough, emptied by the multiplexer. */
interface FrameBuffer {
  readonly readableLength: number;
  readonly writableLength: number;
  write(chunk: unknown, ...rest: unknown[]): boolean;
}

/** The parts of amqplib's Connection used here. */
interface AmqplibConnection {
  readonly stream?: Writable;
  readonly muxer?: { readonly blocked: boolean };
  readonly channels?: ReadonlyArray<{ readonly buffer: FrameBuffer } | null>;
  freshChannel?(channel: unknown, options: unknown): number;
}

/** @internal */
export function streamlineWrites(model: ChannelModel): void {
  const connection = (model as unknown as { connection?: AmqplibConnection }).connection;
  const stream = connection?.stream;
  if (!connection || !stream || typeof stream.cork !== 'function') return;
  writeOncePerTurn(stream);
  writeFramesStraight(connection, stream);
}

function writeOncePerTurn(stream: Writable): void {
  const write = stream.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = function (this: Writable, ...args: unknown[]) {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Writable['write'];
}

function writeFramesStraight(connection: AmqplibConnection, stream: Writable): void {
  const { muxer } = connection;
  const freshChannel = connection.freshChannel;
  if (!muxer || typeof freshChannel !== 'function') return;
  // Every channel gets its frame stream here, when it opens.
  connection.freshChannel = function (this: AmqplibConnection, channel: unknown, options: unknown) {
    const number = freshChannel.call(this, channel, options);
    const buffer = this.channels?.[number]?.buffer;
    if (!buffer) return number;
    const queue = buffer.write;
    buffer.write = (chunk: unknown, ...rest: unknown[]) => {
      if (buffer.readableLength > 0 || buffer.writableLength > 0 || muxer.blocked || stream.writableNeedDrain) return queue.call(buffer, chunk, ...rest);
      stream.write(chunk as Buffer);
      return true;
    };
    return number;
  };
}
