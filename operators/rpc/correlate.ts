import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { LostCall, Reply } from '../../lib/driver/rpc.js';
import { replyRouter } from './reply-router.js';

/**
 * One call's slice of the shared reply stream: waits for the replies to `msgId`, then calls
 * `send`, and emits those replies (heartbeats included) up to and including the ending one.
 * Fails with `TransportClosed` if the reply stream ends first (nothing is sent when it already has), and with `send`'s error if the
 * call could not be sent, or with the error `lost$` (the channel's) gives for it. Unsubscribing
 * stops waiting. The stream is routed by message id through one Map per reply stream, so a reply
 * costs one lookup however many calls wait.
 *
 * @example
 * channel.replies$.pipe(correlate(msgId, () => driver.send(target, request)), callTimeout({ timeout: 60_000 }), replyResults())
 */
export function correlate(msgId: string, send: () => Promise<unknown>, lost$?: Observable<LostCall>): MonoTypeOperatorFunction<Reply> {
  return (replies$) =>
    new Observable<Reply>((subscriber) => {
      // Listen before sending: a reply that arrives while `send` runs finds its waiter.
      replyRouter(replies$, lost$).repliesFor(msgId).subscribe(subscriber);
      if (subscriber.closed) return; // the reply stream had ended: no reply could come back
      send().catch((error: unknown) => subscriber.error(error));
    });
}
