import { Observable, type OperatorFunction } from 'rxjs';
import type { IncomingCall, Reply, ServerIdentity } from '../../lib/driver/rpc.js';
import { toFailure } from '../../lib/wire/failure.js';

/**
 * Sends a handler's results back to the caller, in order, each as soon as it exists. A value
 * whose stream ends in the same turn (a plain result, a Promise's) leaves with `ending: true`:
 * exactly oslo's one-reply form. A value the stream does not end right after leaves at the next
 * microtask, so a stream that pauses never holds a value back; its end is then a reply of its
 * own. A Python caller reads both forms (it keeps the last result). An error is sent as oslo's
 * failure, then re-emitted here so the server can log it. Completes once every reply is sent.
 * Each reply names `server` when given: where the caller can send a cancel.
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
      const send = (unnamed: Omit<Reply, 'msgId' | 'server'>) => {
        const reply = server ? { result: unnamed.result, failure: unnamed.failure, ending: unnamed.ending, server } : unnamed;
        sending = sending ? sending.then(() => incoming.reply(reply)) : incoming.reply(reply);
        // finish() reports a failed send; until the handler ends, a failure must not count as unhandled.
        sending.catch(() => undefined);
      };
      const flushHeld = (ending: boolean) => {
        if (held) send({ result: held.value, failure: null, ending });
        held = undefined;
      };
      const finish = (handlerError?: unknown) =>
        (sending ?? Promise.resolve()).then(
          () => (handlerError === undefined ? subscriber.complete() : subscriber.error(handlerError)),
          (sendError: unknown) => subscriber.error(sendError),
        );
      return source.subscribe({
        next: (value) => {
          flushHeld(false);
          const mine = (held = { value });
          queueMicrotask(() => held === mine && flushHeld(false));
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
