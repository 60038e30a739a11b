import { asyncScheduler, interval, Observable, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { checkOption, positiveNumber } from '../../lib/core/check-options.js';

/**
 * Calls `beat` every `periodMs` for as long as the source runs: a server keeps a caller's
 * `callMonitorTimeout` from firing while its handler works. A failed beat is reported to
 * `onError` and does not stop the work. `periodMs` undefined passes the source through.
 *
 * @example
 * ```ts
 * work$.pipe(heartbeat(5_000, () => incoming.heartbeat(), (error) => log.warn('heartbeat failed', { error: String(error) })))
 * ```
 */
export function heartbeat<T>(
  periodMs: number | undefined,
  beat: () => Promise<void>,
  onError: (error: unknown) => void,
  scheduler: SchedulerLike = asyncScheduler,
): MonoTypeOperatorFunction<T> {
  if (periodMs === undefined) return (source) => source;
  checkOption('heartbeat', 'periodMs', periodMs, positiveNumber);
  return (source) =>
    new Observable<T>((subscriber) => {
      const beats = interval(periodMs, scheduler).subscribe(() => beat().catch(onError));
      const inner = source.subscribe(subscriber);
      return () => {
        beats.unsubscribe();
        inner.unsubscribe();
      };
    });
}
