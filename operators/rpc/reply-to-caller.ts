import { Observable, type Observer, type OperatorFunction, type Subscriber } from 'rxjs';
import type { IncomingCall, Reply, ServerIdentity } from '../../lib/driver/rpc.js';
import { UnserializableValue } from '../../lib/core/errors.js';
import { toFailure } from '../../lib/wire/failure.js';
import { onNextMicrotask } from '../../lib/core/microtask.js';

/**
 * Sends a handler's results back to the caller, in order, each as soon as it exists. A value
 * whose stream ends in the same turn (a plain result, a Promise's) leaves with `ending: true`:
 * exactly oslo's one-reply form. A value the stream does not end right after leaves at the next
 * microtask, so a stream that pauses never holds a value back; its end is then a reply of its
 * own. A Python caller reads both forms (it keeps the last result). An error is sent as oslo's
 * failure, then re-emitted here so the server can log it. Completes once every reply is sent.
 * Each reply but the last names `server` when given: where the caller can send a cancel. A
 * result or failure the wire cannot carry (`UnserializableValue`) is answered with that error as
 * the call's failure, so the caller fails at once instead of waiting out its timeout; nothing
 * more is sent.
 *
 * @example
 * ```ts
 * from(handler(incoming.args, incoming.context)).pipe(replyToCaller(incoming)).subscribe({ error: (error) => log.warn('handler failed', { error: String(error) }) });
 * ```
 */
export function replyToCaller(incoming: IncomingCall, server?: ServerIdentity): OperatorFunction<unknown, never> {
  return (source) => new Observable<never>((subscriber) => source.subscribe(new ReplySender(incoming, server, subscriber)));
}

type Unnamed = Omit<Reply, 'msgId' | 'server'>;

/** One handler's replies on their way: the observer of its results, one object a call rather than a closure for each step. */
class ReplySender implements Observer<unknown> {
  /** The last value, until the next one, the end or the next microtask sends it; `heldSeq` tells one held value from the next. */
  private held: unknown = undefined;
  private holding = false;
  private heldSeq = 0;
  /** The first reply leaves at once; each later one after the one before it. */
  private sending: Promise<void> | undefined = undefined;
  /** The failure sent instead of a reply the wire could not carry; nothing is sent after it. */
  private refusal: Promise<void> | undefined = undefined;

  constructor(
    private readonly incoming: IncomingCall,
    private readonly server: ServerIdentity | undefined,
    private readonly subscriber: Subscriber<never>,
  ) {}

  next(value: unknown): void {
    this.flushHeld(false);
    this.held = value;
    this.holding = true;
    const mine = ++this.heldSeq;
    onNextMicrotask(() => this.heldSeq === mine && this.flushHeld(false));
  }

  error(error: unknown): void {
    this.flushHeld(false);
    this.send({ result: null, failure: toFailure(error), ending: true });
    void this.finish(error);
  }

  complete(): void {
    if (this.holding) this.flushHeld(true);
    else this.send({ result: null, failure: null, ending: true });
    void this.finish();
  }

  /** A reply the call goes on after names the server; the last one does not: nothing is left to cancel. */
  private named(unnamed: Unnamed): Unnamed | Omit<Reply, 'msgId'> {
    const { server } = this;
    return server && !unnamed.ending ? { result: unnamed.result, failure: unnamed.failure, ending: false, server } : unnamed;
  }

  private send(unnamed: Unnamed): void {
    const { incoming } = this;
    const reply = this.named(unnamed);
    const sent = this.sending ? this.sending.then(() => incoming.reply(reply)) : incoming.reply(reply);
    this.sending = sent;
    // finish() reports a failed send; until the handler ends, a failure must not count as unhandled.
    // A side branch, so a reply that goes out takes no extra turn.
    sent.catch((error: unknown) => {
      if (!(error instanceof UnserializableValue) || this.refusal) return;
      // The caller learns at once what could not be sent; the server still sees the send fail.
      this.refusal = incoming.reply(this.named({ result: null, failure: toFailure(error), ending: true })).catch(() => undefined);
    });
  }

  private flushHeld(ending: boolean): void {
    if (!this.holding) return;
    const value = this.held;
    this.held = undefined;
    this.holding = false;
    this.send({ result: value, failure: null, ending });
  }

  private finish(handlerError?: unknown): Promise<void> {
    const { subscriber } = this;
    return (this.sending ?? Promise.resolve()).then(
      () => (handlerError === undefined ? subscriber.complete() : subscriber.error(handlerError)),
      (sendError: unknown) => (this.refusal ?? Promise.resolve()).then(() => subscriber.error(sendError)),
    );
  }
}
