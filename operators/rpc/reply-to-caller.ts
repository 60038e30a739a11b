import { Observable, type OperatorFunction } from 'rxjs';
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
 * Each reply names `server` when given: where the caller can send a cancel. A result or failure
 * the wire cannot carry (`UnserializableValue`) is answered with that error as the call's
 * failure, so the caller fails at once instead of waiting out its timeout; nothing more is sent.
 *
 * @example
 * ```ts
 * from(handler(incoming.args, incoming.context)).pipe(replyToCaller(incoming)).subscribe({ error: (error) => log.warn('handler failed', { error: String(error) }) });
 * ```
 */
export function replyToCaller(incoming: IncomingCall, server?: ServerIdentity): OperatorFunction<unknown, never> {
  return (source) =>
    new Observable<never>((subscriber) => {
      let held: { value: unknown } | undefined;
      // The first reply leaves at once; each later one after the one before it.
      let sending: Promise<void> | undefined;
      // The failure sent instead of a reply the wire could not carry; nothing is sent after it.
      let refusal: Promise<void> | undefined;
      const named = (unnamed: Omit<Reply, 'msgId' | 'server'>) => (server ? { result: unnamed.result, failure: unnamed.failure, ending: unnamed.ending, server } : unnamed);
      const send = (unnamed: Omit<Reply, 'msgId' | 'server'>) => {
        const reply = named(unnamed);
        const sent = sending ? sending.then(() => incoming.reply(reply)) : incoming.reply(reply);
        sending = sent;
        // finish() reports a failed send; until the handler ends, a failure must not count as unhandled.
        // A side branch, so a reply that goes out takes no extra turn.
        sent.catch((error: unknown) => {
          if (!(error instanceof UnserializableValue) || refusal) return;
          // The caller learns at once what could not be sent; the server still sees the send fail.
          refusal = incoming.reply(named({ result: null, failure: toFailure(error), ending: true })).catch(() => undefined);
        });
      };
      const flushHeld = (ending: boolean) => {
        if (held) send({ result: held.value, failure: null, ending });
        held = undefined;
      };
      const finish = (handlerError?: unknown) =>
        (sending ?? Promise.resolve()).then(
          () => (handlerError === undefined ? subscriber.complete() : subscriber.error(handlerError)),
          (sendError: unknown) => (refusal ?? Promise.resolve()).then(() => subscriber.error(sendError)),
        );
      return source.subscribe({
        next: (value) => {
          flushHeld(false);
          const mine = (held = { value });
          onNextMicrotask(() => held === mine && flushHeld(false));
        },
        error: (error: unknown) => {
          flushHeld(false);
          send({ result: null, failure: toFailure(error), ending: true });
          void finish(error);
        },
        complete: () => {
          if (held) flushHeld(true);
          else send({ result: null, failure: null, ending: true });
          void finish();
        },
      });
    });
}
