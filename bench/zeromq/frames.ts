/**
 * The zeromq harness's frames. A call is `[kind, id, body]` from a DEALER (the ROUTER sees its
 * routing id first) and its reply `[id, body]`; a cast is `[kind, body]` from a PUSH. Bodies are
 * the simulator message as JSON, as the plain amqplib harness sends it.
 */
export const INFO = 'info';

export type Frames = Array<string | Buffer>;

/**
 * Sends on `socket` one message at a time, in order: zeromq.js refuses a second send while one
 * is pending (EBUSY, thrown synchronously), so concurrent callers queue here.
 */
export function serialSends(socket: { send(frames: Frames): Promise<void> }): (frames: Frames) => Promise<void> {
  let last: Promise<void> = Promise.resolve();
  return (frames) => {
    const sent = last.catch(() => undefined).then(() => socket.send(frames));
    last = sent;
    return sent;
  };
}
