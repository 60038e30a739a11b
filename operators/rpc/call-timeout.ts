import { asyncScheduler, Observable, type MonoTypeOperatorFunction, type SchedulerLike, type Unsubscribable } from 'rxjs';
import { MessagingTimeout } from '../../lib/core/errors.js';
import { scheduleTimeout } from '../../lib/core/shared-timeouts.js';
import { checkOption, positiveNumber } from '../../lib/core/check-options.js';

/** Options of `callTimeout`. */
export interface CallTimeoutConfig {
  /** Overall limit in ms, from subscription to completion; heartbeats do not extend it. */
  readonly timeout: number;
  /** Limit in ms on the silence between two replies (heartbeats included); none when undefined. */
  readonly callMonitorTimeout?: number;
  /** What the error message names. */
  readonly method?: string;
  /** The target, described (`describeTarget`), for the error message. */
  readonly target?: string;
  /** The call's id, for the error message. */
  readonly msgId?: string;
  /** Runs the timers; a `TestScheduler` makes them virtual (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Fails a call's reply stream with `MessagingTimeout` when it runs past `timeout`, or when
 * nothing (not even a heartbeat) arrives for `callMonitorTimeout`: a silent server is told
 * apart from a slow one.
 *
 * @example
 * replies$.pipe(callTimeout({ timeout: 60_000, callMonitorTimeout: 10_000, method: 'resize' }))
 */
export function callTimeout<T>(config: CallTimeoutConfig): MonoTypeOperatorFunction<T> {
  const { timeout, callMonitorTimeout, method, target, msgId, scheduler = asyncScheduler } = config;
  checkOption('callTimeout', 'timeout', timeout, positiveNumber, true);
  checkOption('callTimeout', 'callMonitorTimeout', callMonitorTimeout, positiveNumber);
  const fail = (kind: 'timeout' | 'callMonitorTimeout', waitedMs: number) => {
    const what = kind === 'timeout' ? `no reply within ${waitedMs} ms` : `no heartbeat or reply for ${waitedMs} ms (callMonitorTimeout): the server looks gone`;
    return new MessagingTimeout(`Timed out waiting for a reply to ${method ?? 'a call'}${target ? ` on ${target}` : ''}${msgId ? ` (message ID ${msgId})` : ''}: ${what}`, {
      kind,
      waitedMs,
      ...(method !== undefined && { method }),
      ...(target !== undefined && { target }),
      ...(msgId !== undefined && { msgId }),
    });
  };
  return (source) =>
    new Observable<T>((subscriber) => {
      const overall = scheduleTimeout(scheduler, () => subscriber.error(fail('timeout', timeout)), timeout);
      if (callMonitorTimeout === undefined) {
        // Nothing to watch between replies: the source feeds `subscriber` itself, and the timer ends with it.
        subscriber.add(overall);
        return source.subscribe(subscriber);
      }
      let monitor: Unsubscribable | undefined;
      const watch = () => {
        monitor?.unsubscribe();
        monitor = scheduleTimeout(scheduler, () => subscriber.error(fail('callMonitorTimeout', callMonitorTimeout)), callMonitorTimeout);
      };
      watch();
      const inner = source.subscribe({
        next: (value) => {
          watch();
          subscriber.next(value);
        },
        error: (error) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      return () => {
        overall.unsubscribe();
        monitor?.unsubscribe();
        inner.unsubscribe();
      };
    });
}
