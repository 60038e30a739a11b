/**
 * Routes a transport's shared reply stream to the calls waiting on it, by message id through a
 * Map: one lookup per reply, however many calls are in flight. One router per reply stream (a
 * reply channel's `replies$` is one object for the channel's lifetime).
 */
import { Observable, type Subscriber } from 'rxjs';
import type { Reply } from '../../lib/driver/rpc.js';
import { TransportClosed } from '../../lib/core/errors.js';

interface ReplyRouter {
  /** How many calls are waiting for replies: a count that keeps growing would be a leak. */
  readonly pending: number;
  /**
   * The replies to one call, heartbeats included, up to and including the one marked `ending`.
   * Fails with `TransportClosed` if the reply stream ends first.
   */
  repliesFor(msgId: string): Observable<Reply>;
}

const routers = new WeakMap<Observable<Reply>, ReplyRouter>();

/** @internal */
export function replyRouter(replies$: Observable<Reply>): ReplyRouter {
  let router = routers.get(replies$);
  if (!router) routers.set(replies$, (router = createRouter(replies$)));
  return router;
}

function createRouter(replies$: Observable<Reply>): ReplyRouter {
  const waiting = new Map<string, Subscriber<Reply>>();
  let ended: Error | undefined;
  const end = (error: Error) => {
    ended = error;
    for (const subscriber of waiting.values()) subscriber.error(error);
    waiting.clear();
  };
  replies$.subscribe({
    next: (reply) => {
      const subscriber = waiting.get(reply.msgId);
      if (!subscriber) return; // a reply to a call given up on, or to another process: oslo drops those too
      subscriber.next(reply);
      if (reply.ending) {
        waiting.delete(reply.msgId);
        subscriber.complete();
      }
    },
    error: (error: unknown) => end(new TransportClosed('The reply stream failed', { cause: error })),
    complete: () => end(new TransportClosed('The transport closed before the reply arrived')),
  });
  return {
    get pending() {
      return waiting.size;
    },
    repliesFor: (msgId) =>
      new Observable<Reply>((subscriber) => {
        if (ended) return subscriber.error(ended);
        waiting.set(msgId, subscriber);
        return () => {
          if (waiting.get(msgId) === subscriber) waiting.delete(msgId);
        };
      }),
  };
}
