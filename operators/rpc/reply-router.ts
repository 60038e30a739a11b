/**
 * Routes a transport's shared reply stream to the calls waiting on it, by message id through one
 * table (id-table.ts): one lookup per reply, however many calls are in flight. One router per
 * reply stream (a reply channel's `replies$` is one object for as long as it lasts). A router whose stream failed
 * is not kept: the next call subscribes to the stream again, so a stream that recovers serves it.
 * A call its channel reports lost (`lost$`) fails at once with the error given.
 */
import { Observable, type Subscriber } from 'rxjs';
import type { LostCall, Reply } from '../../lib/driver/rpc.js';
import { TransportClosed } from '../../lib/core/errors.js';
import { IdTable } from '../../lib/core/id-table.js';

interface ReplyRouter {
  /** How many calls are waiting for replies: a count that keeps growing would be a leak. */
  readonly pending: number;
  /**
   * The replies to one call, heartbeats included, up to and including the one marked `ending`.
   * Fails with `TransportClosed` if the reply stream ends first.
   */
  repliesFor(msgId: string): Observable<Reply>;
}

interface Routing {
  readonly router: ReplyRouter;
  /** The stream failed: calls from now on get a router of their own. */
  readonly failed: () => boolean;
}

const routers = new WeakMap<Observable<Reply>, Routing>();

/** @internal */
export function replyRouter(replies$: Observable<Reply>, lost$?: Observable<LostCall>): ReplyRouter {
  const routing = routers.get(replies$);
  if (routing && !routing.failed()) return routing.router;
  const fresh = createRouter(replies$, lost$);
  routers.set(replies$, fresh);
  return fresh.router;
}

function createRouter(replies$: Observable<Reply>, lost$: Observable<LostCall> | undefined): Routing {
  const waiting = new IdTable<Subscriber<Reply>>();
  let ended: Error | undefined;
  let failed = false;
  const end = (error: Error) => {
    ended = error;
    const all = waiting.entriesNow();
    waiting.clear();
    for (const [, subscriber] of all) subscriber.error(error);
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
    error: (error: unknown) => {
      failed = true;
      end(new TransportClosed('The reply stream failed', { cause: error }));
    },
    complete: () => end(new TransportClosed('The transport closed before the reply arrived')),
  });
  lost$?.subscribe(({ msgId, error }) => {
    const subscriber = waiting.get(msgId);
    if (!subscriber) return;
    waiting.delete(msgId);
    subscriber.error(error);
  });
  const router: ReplyRouter = {
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
  return { router, failed: () => failed };
}
