import { Observable, type Observer, type OperatorFunction, type Subscriber } from 'rxjs';
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
  return (source) => new Observable<unknown>((subscriber) => source.subscribe(new ResultsOf(subscriber, allowedRemoteErrors)));
}

/** The observer of one call's replies: one object a call rather than a closure for each kind of event. */
class ResultsOf implements Observer<Reply> {
  constructor(
    private readonly subscriber: Subscriber<unknown>,
    private readonly allowedRemoteErrors: readonly ErrorClass[],
  ) {}
  next(reply: Reply): void {
    if (reply.failure) this.subscriber.error(fromFailure(reply.failure, this.allowedRemoteErrors));
    else if (reply.result !== null && reply.result !== undefined) this.subscriber.next(reply.result);
  }
  error(error: unknown): void {
    this.subscriber.error(error);
  }
  complete(): void {
    this.subscriber.complete();
  }
}
