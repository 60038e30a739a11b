/**
 * What the soak samples while it runs: memory, live timers, and the subscriptions to the
 * transport's shared reply stream (one per call in flight: they are rx-messaging's pending
 * calls, so a leak of either shows as a count that keeps growing).
 */
import { Observable } from 'rxjs';
import type { Transport } from '../lib/transport.js';

export interface Sample {
  readonly phase: 'calls' | 'notifications';
  /** Messages completed in the phase when sampled. */
  readonly done: number;
  readonly rss_mb: number;
  readonly heap_mb: number;
  /** Live `setTimeout`/`setInterval` handles of the process. */
  readonly timers: number;
  /** Subscriptions to the reply stream: calls waiting for their reply. */
  readonly reply_subscriptions: number;
}

export interface Probes {
  sample(phase: Sample['phase'], done: number): Sample;
}

/**
 * Counts subscriptions to the reply stream by wrapping the driver's `replyChannel()` before the
 * first call; the driver and the client are otherwise untouched.
 */
export function attachProbes(transport: Transport): Probes {
  const { driver } = transport;
  const replyChannel = driver.replyChannel.bind(driver);
  let subscriptions = 0;
  (driver as { replyChannel: typeof driver.replyChannel }).replyChannel = async () => {
    const channel = await replyChannel();
    const counted = new Observable<(typeof channel.replies$ extends Observable<infer R> ? R : never)>((subscriber) => {
      subscriptions++;
      const inner = channel.replies$.subscribe(subscriber);
      return () => {
        subscriptions--;
        inner.unsubscribe();
      };
    });
    return { address: channel.address, replies$: counted };
  };
  return {
    sample(phase, done) {
      // With --expose-gc, heap figures are what is live, not what the collector has yet to visit.
      (globalThis as { gc?: () => void }).gc?.();
      const memory = process.memoryUsage();
      return {
        phase,
        done,
        rss_mb: mb(memory.rss),
        heap_mb: mb(memory.heapUsed),
        timers: process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length,
        reply_subscriptions: subscriptions,
      };
    },
  };
}

function mb(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}
