import type { Observer, Subscriber, Subscription } from 'rxjs';

/**
 * An observer passing a stream on to `subscriber` and noting whether it ended: the base of the
 * per-call relays (one object a call is both the observer and, in a subclass, the teardown).
 * @internal
 */
export abstract class EndingRelay<T> implements Observer<T> {
  /** The subscription to the source, for the teardown. */
  inner: Subscription | undefined = undefined;
  ended = false;
  constructor(protected readonly subscriber: Subscriber<T>) {}
  next(value: T): void {
    this.subscriber.next(value);
  }
  error(error: unknown): void {
    this.ended = true;
    this.subscriber.error(error);
  }
  complete(): void {
    this.ended = true;
    this.subscriber.complete();
  }
}
