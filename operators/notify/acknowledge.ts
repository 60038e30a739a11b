import { from, lastValueFrom, type OperatorFunction } from 'rxjs';
import { boundedMergeMap } from '../bounded-merge-map.js';
import { AcknowledgeError } from '../../lib/core/errors.js';
import { handlerResult } from '../../lib/executors/executor.js';
import { getLogger } from '../../lib/core/logger.js';
import { checkOption, countOrInfinity } from '../../lib/core/check-options.js';

/** What can be settled with the broker: an incoming notification, or a value wrapping one. */
export interface Acknowledgeable {
  /** Settles it: the broker forgets it. */
  ack(): Promise<void>;
  /** Gives it back to the broker for another delivery. */
  requeue(): Promise<void>;
}

/** Handles one item: its value, Promise or Observable settles it (an error means requeue). */
export type AcknowledgeHandler<T> = (item: T) => unknown;

/** Options of `acknowledge`. */
export interface AcknowledgeConfig<T> {
  /** Runs before the ack (default none: everything that reaches the operator is acked). */
  readonly handler?: AcknowledgeHandler<T>;
  /** How many handlers may run at once (default 1: items are settled in arrival order). */
  readonly concurrency?: number;
}

/** How an item was settled; `error` is the handler's, when it was requeued. */
export interface AckOutcome<T> {
  readonly item: T;
  readonly outcome: 'acked' | 'requeued';
  readonly error?: unknown;
}

const log = getLogger('rx-messaging.acknowledge');

/**
 * Settles each item with the broker: runs `handler` (if any), then acks the item, or requeues it
 * when the handler failed. Emits one `AckOutcome` per item. A refused ack or requeue errors the
 * stream with `AcknowledgeError`: the consumer is gone, and `retry()` resubscribes.
 *
 * @example
 * ```ts
 * transport.notifications([{ topic: 'notifications' }]).pipe(
 *   filterNotifications({ eventType: '^compute\\.' }),
 *   acknowledge((n) => store(n.payload)),
 * ).subscribe();
 * ```
 */
export function acknowledge<T extends Acknowledgeable>(config: AcknowledgeHandler<T> | AcknowledgeConfig<T> = {}): OperatorFunction<T, AckOutcome<T>> {
  const { handler, concurrency = 1 } = typeof config === 'function' ? { handler: config } : config;
  checkOption('acknowledge', 'concurrency', concurrency, countOrInfinity);
  const settle = async (item: T): Promise<AckOutcome<T>> => {
    try {
      if (handler) await lastValueFrom(handlerResult(handler(item)), { defaultValue: undefined });
    } catch (error) {
      log.warn('the handler failed; requeueing', { error: String(error) });
      await settleOrFail('requeue', [item]);
      return { item, outcome: 'requeued', error };
    }
    await settleOrFail('ack', [item]);
    return { item, outcome: 'acked' };
  };
  return boundedMergeMap((item: T) => from(settle(item)), concurrency);
}

/** Acks or requeues every item, failing with `AcknowledgeError` when the broker refuses. Shared with batchAcknowledge and the notification dispatchers. @internal */
export async function settleOrFail(action: 'ack' | 'requeue', items: readonly Acknowledgeable[]): Promise<void> {
  const settle = (item: Acknowledgeable) => (action === 'ack' ? item.ack() : item.requeue());
  try {
    // One item, as every notification listener's message: no Promise.all to build for it.
    await (items.length === 1 ? settle(items[0] as Acknowledgeable) : Promise.all(items.map(settle)));
  } catch (error) {
    throw new AcknowledgeError(action, items.length, { cause: error });
  }
}
