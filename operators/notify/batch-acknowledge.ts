import { asyncScheduler, concatMap, from, lastValueFrom, pipe, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { handlerResult } from '../../lib/executors/executor.js';
import { getLogger } from '../../lib/core/logger.js';
import { settleOrFail, type Acknowledgeable } from './acknowledge.js';
import { bufferBatch } from './buffer-batch.js';

/** Writes one batch; its value, Promise or Observable says when the write is done (an error means it failed). */
export type BatchSink<T> = (batch: readonly T[]) => unknown;

/** Options of `batchAcknowledge`. */
export interface BatchAcknowledgeConfig<T> {
  /** Where batches go: a file, a database table, another service. */
  readonly sink: BatchSink<T>;
  /** Write a batch once it holds this many items (default: no size limit). */
  readonly size?: number;
  /** Write a batch this many ms after its first item arrived, however small (default: no time limit). */
  readonly timeout?: number;
  /** Runs the timers; a `TestScheduler` makes them virtual (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/** How a batch was settled; `error` is the sink's, when the batch was requeued. */
export interface BatchOutcome<T> {
  readonly batch: readonly T[];
  readonly outcome: 'acked' | 'requeued';
  readonly error?: unknown;
}

const log = getLogger('rx-messaging.batch-acknowledge');

/**
 * The ETL guarantee: items are batched (at `size`, or `timeout` ms after a batch's first item),
 * each batch is written to `sink`, and only once the sink succeeded are its items acked. When
 * the sink fails, the whole batch is requeued, so the broker delivers it again: nothing is lost,
 * and a sink that is idempotent (say, keyed on `messageId`) sees each message take effect once.
 * Batches are written one at a time, in order. Emits one `BatchOutcome` per batch; a refused
 * ack or requeue errors the stream with `AcknowledgeError`.
 *
 * @example
 * notifications$.pipe(batchAcknowledge({ size: 500, timeout: 2_000, sink: (batch) => insertRows(batch) }))
 */
export function batchAcknowledge<T extends Acknowledgeable>(config: BatchAcknowledgeConfig<T>): OperatorFunction<T, BatchOutcome<T>> {
  const { sink, size, timeout, scheduler = asyncScheduler } = config;
  if (typeof sink !== 'function') throw new TypeError('batchAcknowledge needs a sink function');
  const write = async (batch: readonly T[]): Promise<BatchOutcome<T>> => {
    try {
      await lastValueFrom(handlerResult(sink(batch)), { defaultValue: undefined });
    } catch (error) {
      log.warn(`the sink failed; requeueing a batch of ${batch.length}`, { error: String(error) });
      await settleOrFail('requeue', batch);
      return { batch, outcome: 'requeued', error };
    }
    await settleOrFail('ack', batch);
    return { batch, outcome: 'acked' };
  };
  return pipe(
    bufferBatch<T>({ ...(size !== undefined && { size }), ...(timeout !== undefined && { timeout }), scheduler }),
    concatMap((batch) => from(write(batch))),
  );
}
