import { asyncScheduler, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import { checkOption, countOrInfinity, nonNegativeNumber } from '../../lib/core/check-options.js';
import { InvalidOptions } from '../../lib/core/errors.js';

/** Options of `bufferBatch`: at least one of `size` and `timeout`. */
export interface BufferBatchConfig {
  /** Emit a batch as soon as it holds this many values (default: no size limit). */
  readonly size?: number;
  /** Emit a batch this many ms after its first value arrived, however small (default: no time limit). */
  readonly timeout?: number;
  /** Runs the timers; a `TestScheduler` makes them virtual (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Groups values into batches, emitted when `size` is reached or `timeout` ms after the batch's
 * first value, whichever comes first; on completion the partial batch is emitted. Unlike
 * `bufferTime`, the clock starts with each batch, so no empty batches are emitted and a lone
 * value waits at most `timeout`.
 *
 * @example
 * notifications$.pipe(bufferBatch({ size: 100, timeout: 5_000 }))
 */
export function bufferBatch<T>(config: BufferBatchConfig): OperatorFunction<T, T[]> {
  const { size = Infinity, timeout, scheduler = asyncScheduler } = config;
  checkOption('bufferBatch', 'size', size, countOrInfinity);
  checkOption('bufferBatch', 'timeout', timeout, nonNegativeNumber);
  if (size === Infinity && timeout === undefined)
    throw new InvalidOptions('bufferBatch', 'size', 'neither size nor timeout', 'given, or a timeout: a batch needs a size, a timeout or both');
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      let timer: Subscription | undefined;
      const flush = () => {
        timer?.unsubscribe();
        timer = undefined;
        if (batch.length === 0) return;
        const full = batch;
        batch = [];
        subscriber.next(full);
      };
      const inner = source.subscribe({
        next: (value) => {
          batch.push(value);
          if (batch.length >= size) flush();
          else if (timer === undefined && timeout !== undefined) timer = scheduler.schedule(flush, timeout);
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        timer?.unsubscribe();
        inner.unsubscribe();
      };
    });
}
