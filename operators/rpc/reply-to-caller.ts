import { Observable, type OperatorFunction } from 'rxjs';
import type { IncomingCall, Reply } from '../../lib/driver/rpc.js';
import { toFailure } from '../../lib/wire/failure.js';

/**
 * Sends a handler's results back to the caller, in order. Each value is held until the next one
 * (or the end) arrives, so the last reply carries the last value with `ending: true`: a single
 * result is exactly oslo's one-reply form, and a stream is several replies a Python caller also
 * reads (it keeps the last result). An error is sent as oslo's failure, then re-emitted here so
 * the server can log it. Completes once every reply is sent.
 */
export function replyToCaller(incoming: IncomingCall): OperatorFunction<unknown, never> {
  return (source) =>
    new Observable<never>((subscriber) => {
      let held: { value: unknown } | undefined;
      // The first reply leaves at once; each later one after the one before it.
      let sending: Promise<void> | undefined;
      const send = (reply: Omit<Reply, 'msgId'>) => {
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
          held = { value };
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
