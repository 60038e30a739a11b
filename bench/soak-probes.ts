/**
 * What the soak samples while it runs: memory, live timers, and the calls waiting in the
 * transport's reply router (rx-messaging's pending calls, so a leak of either shows as a count
 * that keeps growing).
 */
import { replyRouter } from '../operators/rpc/reply-router.js';
import { driverOf, type Transport } from '../lib/transport.js';

export interface Sample {
  readonly phase: 'calls' | 'notifications';
  /** Messages completed in the phase when sampled. */
  readonly done: number;
  readonly rss_mb: number;
  readonly heap_mb: number;
  /** Live `setTimeout`/`setInterval` handles of the process. */
  readonly timers: number;
  /** Calls waiting for their reply in the transport's reply router. */
  readonly reply_subscriptions: number;
}

export interface Probes {
  sample(phase: Sample['phase'], done: number): Sample;
}

/**
 * Reads the calls waiting in the transport's reply router; the driver and the client are
 * otherwise untouched. The channel is opened here, before the first call, as a call would.
 */
export async function attachProbes(transport: Transport): Promise<Probes> {
  const router = replyRouter((await driverOf(transport).replyChannel()).replies$);
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
        reply_subscriptions: router.pending,
      };
    },
  };
}

function mb(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}
