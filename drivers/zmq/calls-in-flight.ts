/**
 * The calls a client sent and still waits on, by the server endpoint they went to: when that
 * connection is lost (a SIGKILL closes it, a ZMTP heartbeat timeout ends it, a server that left
 * hangs up with calls it never took), the calls it can no longer answer are reported on `lost$`,
 * which the reply channel hands to its callers, so they fail at once instead of at their timeout.
 * A call is forgotten at its ending reply, or once its caller stopped waiting anyway.
 */
import { Subject, type Observable } from 'rxjs';
import { MessageDeliveryFailure } from '../../lib/core/errors.js';
import { IdTable } from '../../lib/core/id-table.js';
import type { LostCall } from '../../lib/driver/rpc.js';

interface InFlight {
  readonly endpoint: string;
  readonly session: number;
  readonly method: string;
  /** When the caller stops waiting anyway, in ms since the epoch. */
  readonly until: number;
}

interface CallsInFlight {
  /** Calls lost with their connection, for the reply channel's `lost$`. */
  readonly lost$: Observable<LostCall>;
  /** `call` went out on the connection `session` to `endpoint`. */
  track(endpoint: string, session: number, call: { readonly msgId: string; readonly timeoutMs: number }, method: string): void;
  /** The ending reply of `msgId` came. */
  answered(msgId: string): void;
  /** The connection `session` to `endpoint` is gone and what it delivered was read: its calls are lost. */
  lost(endpoint: string, session: number, why: string): void;
  /** Forgets every call: the transport closed, which fails them through the reply stream's end. */
  close(): void;
}

/** How often calls whose callers stopped waiting are let go. */
const SWEEP_MS = 1_000;

/** @internal */
export function createCallsInFlight(): CallsInFlight {
  const calls = new IdTable<InFlight>();
  const lost$ = new Subject<LostCall>();
  let sweeper: NodeJS.Timeout | undefined;

  const sweep = () => {
    const now = Date.now();
    for (const [msgId, call] of calls.entriesNow()) if (call.until <= now) calls.delete(msgId);
    if (!calls.size) stopSweeping();
  };
  const stopSweeping = () => {
    clearInterval(sweeper);
    sweeper = undefined;
  };

  return {
    lost$: lost$.asObservable(),
    track(endpoint, session, { msgId, timeoutMs }, method) {
      const until = Number.isFinite(timeoutMs) && timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
      calls.set(msgId, { endpoint, session, method, until });
      if (sweeper) return;
      sweeper = setInterval(sweep, SWEEP_MS);
      // Waiting calls must not keep the process alive.
      sweeper.unref();
    },
    answered(msgId) {
      calls.delete(msgId);
    },
    lost(endpoint, session, why) {
      for (const [msgId, call] of calls.entriesNow()) {
        if (call.endpoint !== endpoint || call.session !== session) continue;
        calls.delete(msgId);
        lost$.next({
          msgId,
          error: new MessageDeliveryFailure(
            `the connection to server ${endpoint} was lost (${why}) before the reply to '${call.method}' (message ID ${msgId}) came: ` +
              'whether it ran is unknown; call again if running it twice is safe, its other servers (or its restart) will take it',
          ),
        });
      }
      if (!calls.size) stopSweeping();
    },
    close() {
      calls.clear();
      stopSweeping();
      lost$.complete();
    },
  };
}
