import { Observable, type OperatorFunction } from 'rxjs';
import type { Reply } from '../../lib/driver/rpc.js';
import { fromFailure, type ErrorClass } from '../../lib/wire/failure.js';

/**
 * A call's replies as its results: every result that is not null (heartbeats carry none), or
 * the remote failure rebuilt as an error (an allowed class, or `RemoteError`).
 *
 * @example
 * ```ts
 * channel.replies$.pipe(correlate(msgId, send), replyResults([QuotaExceeded]))
 * ```
 */
export function replyResults(allowedRemoteErrors: readonly ErrorClass[] = []): OperatorFunction<Reply, unknown> {
  return (source) =>
    new Observable<unknown>((subscriber) =>
      source.subscribe({
        next: (reply) => {
          if (reply.failure) subscriber.error(fromFailure(reply.failure, allowedRemoteErrors));
          else if (reply.result !== null && reply.result !== undefined) subscriber.next(reply.result);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      }),
    );
}
