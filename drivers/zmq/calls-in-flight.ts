/**
 * The calls a client sent and still waits on, by the server endpoint they went to: when that
 * connection is lost (a SIGKILL closes it, a ZMTP heartbeat timeout ends it, a server that left
 * hangs up with calls it never took), the calls it can no longer answer fail at once instead of
 * at their timeout. A call's `send()` settles with its fate: it resolves at the call's ending
 * reply (or once its caller stopped waiting), and rejects with `MessageDeliveryFailure` when its
 * server is lost first; the caller's correlate turns that rejection into the call's failure.
 */
import { MessageDeliveryFailure } from '../../lib/core/errors.js';

interface InFlight {
  readonly endpoint: string;
  readonly session: number;
  readonly method: string;
  /** When the caller stops waiting anyway, in ms since the epoch. */
  readonly until: number;
  resolve(): void;
  reject(error: Error): void;
}

interface CallsInFlight {
  /** Settles once `call`, sent on the connection `session` to `endpoint`, ended, was given up by its caller (its timeout), or lost that connection. */
  track(endpoint: string, session: number, call: { readonly msgId: string; readonly timeoutMs: number }, method: string): Promise<void>;
  /** The ending reply of `msgId` came. */
  answered(msgId: string): void;
  /** The connection `session` to `endpoint` is gone and what it delivered was read: its calls fail. */
  lost(endpoint: string, session: number, why: string): void;
  /** Every call fails with `error` (the transport closed). */
  close(error: Error): void;
}

/** How often calls whose callers stopped waiting are let go. */
const SWEEP_MS = 1_000;

/** @internal */
export function createCallsInFlight(): CallsInFlight {
  const calls = new Map<string, InFlight>();
  let sweeper: NodeJS.Timeout | undefined;

  const sweep = () => {
    const now = Date.now();
    for (const [msgId, call] of calls) {
      if (call.until > now) continue;
      calls.delete(msgId);
      call.resolve();
    }
    if (!calls.size) stopSweeping();
  };
  const stopSweeping = () => {
    clearInterval(sweeper);
    sweeper = undefined;
  };

  return {
    track(endpoint, session, { msgId, timeoutMs }, method) {
      return new Promise<void>((resolve, reject) => {
        const until = Number.isFinite(timeoutMs) && timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
        calls.set(msgId, { endpoint, session, method, until, resolve, reject });
        if (sweeper) return;
        sweeper = setInterval(sweep, SWEEP_MS);
        // Waiting calls must not keep the process alive.
        sweeper.unref();
      });
    },
    answered(msgId) {
      const call = calls.get(msgId);
      if (!call) return;
      calls.delete(msgId);
      call.resolve();
    },
    lost(endpoint, session, why) {
      for (const [msgId, call] of calls) {
        if (call.endpoint !== endpoint || call.session !== session) continue;
        calls.delete(msgId);
        call.reject(
          new MessageDeliveryFailure(
            `the connection to server ${endpoint} was lost (${why}) before the reply to '${call.method}' (message ID ${msgId}) came: ` +
              'whether it ran is unknown; call again if running it twice is safe, its other servers (or its restart) will take it',
          ),
        );
      }
      if (!calls.size) stopSweeping();
    },
    close(error) {
      for (const call of calls.values()) call.reject(error);
      calls.clear();
      stopSweeping();
    },
  };
}
