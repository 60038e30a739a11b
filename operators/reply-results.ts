import { EMPTY, mergeMap, of, throwError, type OperatorFunction } from 'rxjs';
import type { Reply } from '../lib/driver.js';
import { fromFailure, type ErrorClass } from '../lib/failure.js';

/**
 * A call's replies as its results: every result that is not null (heartbeats carry none), or
 * the remote failure rebuilt as an error (an allowed class, or `RemoteError`).
 */
export function replyResults(allowedRemoteErrors: readonly ErrorClass[] = []): OperatorFunction<Reply, unknown> {
  return mergeMap((reply) => {
    if (reply.failure) return throwError(() => fromFailure(reply.failure!, allowedRemoteErrors));
    return reply.result === null || reply.result === undefined ? EMPTY : of(reply.result);
  });
}
