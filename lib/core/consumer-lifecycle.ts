/**
 * The start/stop lifecycle of a consumer (an RPC server, a notification listener). `start()` subscribes and resolves once
 * the consumer is in place. `stop()` stops taking messages but keeps the consumer open until the
 * work in flight has settled its messages, then cancels it: an ack must reach the consumer that
 * received the message. Messages that arrive while stopping, or wait in a buffer without having
 * been started, are left unsettled, and the broker hands them out again once the consumer is gone.
 */
import { Subject, type Observable, type Subscription } from 'rxjs';
import type { Logger } from './logger.js';

interface ConsumerLifecycle {
  /** Whether it is consuming (false again once `stop()` was called). */
  readonly running: boolean;
  /** Starts consuming; resolves when the consumer is in place. A second start while running does nothing. */
  start(): Promise<void>;
  /** Stops taking messages and resolves once the work in flight is done and the consumer cancelled. */
  stop(): Promise<void>;
}

interface ConsumerSpec<T> {
  /** The consumer: a cold stream that calls `onReady` once consuming. */
  readonly open: (onReady: () => void) => Observable<T>;
  /**
   * The work on what was taken. It must complete once `taken$` has completed and its work in
   * flight is done; `stopping()` tells it to skip what it has not started yet.
   */
  readonly process: (taken$: Observable<T>, stopping: () => boolean) => Observable<unknown>;
}

/** @internal */
export function consumerLifecycle<T>(log: Logger, facts: Record<string, unknown>, { open, process }: ConsumerSpec<T>): ConsumerLifecycle {
  let running: { readonly stop: () => void; readonly drained: Promise<void>; readonly ready: Promise<void> } | undefined;
  return {
    get running() {
      return running !== undefined;
    },
    start() {
      if (running) return running.ready;
      let stopping = false;
      const taken$ = new Subject<T>();
      let markReady!: () => void;
      let fail!: (error: unknown) => void;
      const ready = new Promise<void>((resolve, reject) => {
        markReady = resolve;
        fail = reject;
      });
      let drain!: () => void;
      const drained = new Promise<void>((resolve) => (drain = resolve));
      const current = {
        stop: () => {
          stopping = true;
          taken$.complete();
        },
        drained,
        ready,
      };
      running = current;
      let consumer: Subscription | undefined;
      const ended = () => {
        if (running === current) running = undefined;
        consumer?.unsubscribe();
        drain();
        // Ending before the consumer was ready (a stop, a closed transport) still ends start().
        markReady();
      };
      const work = process(taken$, () => stopping).subscribe({
        error: (error: unknown) => {
          log.error('the stream of incoming messages failed; consuming stopped', { ...facts, error: String(error) });
          fail(error);
          ended();
        },
        complete: ended,
      });
      consumer = open(markReady).subscribe({
        next: (item) => {
          if (!stopping) taken$.next(item);
        },
        error: (error: unknown) => taken$.error(error),
        complete: () => taken$.complete(),
      });
      // The work may have ended while the consumer was being opened (an immediate error).
      if (work.closed) consumer.unsubscribe();
      return ready;
    },
    async stop() {
      if (!running) return;
      const { stop, drained } = running;
      running = undefined;
      stop();
      await drained;
    },
  };
}
