import { filter, Observable, takeWhile, type MonoTypeOperatorFunction } from 'rxjs';
import type { Reply } from '../lib/driver.js';
import { TransportClosed } from '../lib/errors.js';

/**
 * One call's replies out of the transport's shared reply stream: those with the call's message
 * id, up to and including the one marked `ending`. Heartbeats pass through, so a `callTimeout`
 * placed after it sees them. If the reply stream ends first (the transport closed), the call
 * fails with `TransportClosed` instead of ending quietly without a result.
 */
export function correlate(msgId: string): MonoTypeOperatorFunction<Reply> {
  return (source) =>
    new Observable<Reply>((subscriber) => {
      let ended = false;
      return source
        .pipe(
          filter((reply) => reply.msgId === msgId),
          takeWhile((reply) => !reply.ending, true),
        )
        .subscribe({
          next: (reply) => {
            ended = reply.ending;
            subscriber.next(reply);
          },
          error: (error: unknown) => subscriber.error(error),
          complete: () => (ended ? subscriber.complete() : subscriber.error(new TransportClosed(`The transport closed before the reply to message ${msgId} arrived`))),
        });
    });
}
