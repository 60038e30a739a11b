/**
 * Call requests published without a publisher confirm (`rabbit_call_confirms=false`), kept until
 * their first reply (which says the request arrived) or their caller's deadline. When the channel
 * one went out on closes, the request may have been lost with it: `takeLost` hands back those
 * still waiting, for the publisher to send again.
 */
import type { WatchedChannel } from './channel.js';
import type { PublishRequest } from './publish.js';

/** A call request sent without a confirm and not answered yet. @internal */
export interface UnansweredCall {
  readonly msgId: string;
  /** When its caller stops waiting, in ms since the epoch: it is not sent again after that. */
  readonly deadline: number;
  readonly request: PublishRequest;
  readonly channel: WatchedChannel;
}

/** @internal */
export interface UnansweredCalls {
  /** Whether one more may be kept; when not, the request is published with a confirm instead. */
  readonly full: boolean;
  add(call: UnansweredCall): void;
  /** A reply to `msgId` arrived: the request needs no resending. */
  answered(msgId: string): void;
  /** The calls sent on `channel` that were not answered and whose callers still wait, taken out of the table. */
  takeLost(channel: WatchedChannel): UnansweredCall[];
}

/** How often calls past their deadline are forgotten while any are kept. */
const SWEEP_MS = 1_000;

/** The table, bounded by `max` calls (rabbit_max_pending_sends). @internal */
export function unansweredCalls(max: number): UnansweredCalls {
  // A dictionary, not a Map: it fills and empties with every call (see operators/rpc/in-flight.ts).
  const calls: Record<string, UnansweredCall> = Object.create(null);
  let count = 0;
  let sweeper: NodeJS.Timeout | undefined;
  const remove = (msgId: string) => {
    delete calls[msgId];
    if (--count > 0) return;
    clearInterval(sweeper);
    sweeper = undefined;
  };
  const sweep = () => {
    const now = Date.now();
    for (const msgId in calls) if ((calls[msgId] as UnansweredCall).deadline <= now) remove(msgId);
  };
  return {
    get full() {
      return count >= max;
    },
    add(call) {
      if (!(call.msgId in calls)) count++;
      calls[call.msgId] = call;
      if (!sweeper) {
        sweeper = setInterval(sweep, SWEEP_MS);
        sweeper.unref();
      }
    },
    answered(msgId) {
      if (msgId in calls) remove(msgId);
    },
    takeLost(channel) {
      const now = Date.now();
      const lost: UnansweredCall[] = [];
      for (const msgId in calls) {
        const call = calls[msgId] as UnansweredCall;
        if (call.channel !== channel) continue;
        remove(msgId);
        if (call.deadline > now) lost.push(call);
      }
      return lost;
    },
  };
}
