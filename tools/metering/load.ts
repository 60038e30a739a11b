/**
 * A closed-loop load: `concurrency` callers, each sending its next message as soon as the
 * previous one finished, until each sent `messagesPerCaller`, `seconds` ran out, or the signal
 * aborted. Every message's latency lands in the meter; a failure is counted and the caller goes on.
 * With `warmupSeconds`, the callers first send for that long and nothing of it is measured: a
 * JIT still compiling the framework's code would otherwise be what a short run shows.
 *
 * On a transport that completes sends on microtasks alone (memory://) such a loop would never
 * let the event loop turn: no timer, signal or progress line. The callers step aside to it
 * every `YIELD_MS`.
 */
import type { Meter } from './meter.js';

interface LoadOptions {
  readonly concurrency: number;
  /** Messages per caller; unlimited when only `seconds` is given. */
  readonly messagesPerCaller?: number;
  /** Stop starting new messages after this many seconds (of measuring, after the warm-up). */
  readonly seconds?: number;
  /** Seconds of sending before measuring begins; its messages and failures are not counted. */
  readonly warmupSeconds?: number;
  readonly signal?: AbortSignal;
  /** Optional pause between two messages of one caller, in ms. */
  readonly pauseMs?: number;
  readonly meter: Meter;
  /** Sends message `seq` (numbered from 0 across callers) and resolves with the bytes sent. */
  readonly send: (seq: number) => Promise<number>;
  readonly now?: () => number;
}

const YIELD_MS = 50;

const STOPPED = Symbol('stopped');

/** @internal */
export async function runLoad(options: LoadOptions): Promise<void> {
  const { concurrency, messagesPerCaller, seconds, warmupSeconds = 0, signal, pauseMs = 0, meter, send, now = () => performance.now() } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  if (messagesPerCaller === undefined && seconds === undefined) throw new RangeError('give messagesPerCaller, seconds or both');
  const start = now() + warmupSeconds * 1000;
  const deadline = seconds === undefined ? Infinity : start + seconds * 1000;
  let measuring = warmupSeconds <= 0;
  if (measuring) meter.begin(start);
  let seq = 0;
  let yielded = start;
  // A stop does not wait for the messages in flight: they are neither measured nor failed. Each
  // caller's wait ends through its own slot: a race against one promise that lasts the run would
  // leave a reaction on it for every message, all kept (and promoted by the GC) until the stop.
  const stops: (((stopped: typeof STOPPED) => void) | undefined)[] = new Array(concurrency).fill(undefined);
  signal?.addEventListener(
    'abort',
    () => {
      for (const stop of stops) stop?.(STOPPED);
    },
    { once: true },
  );
  const untilStopped = (caller: number, sending: Promise<number>) =>
    new Promise<number | typeof STOPPED>((resolve, reject) => {
      stops[caller] = resolve;
      if (signal?.aborted) resolve(STOPPED);
      sending.then(resolve, reject);
    });
  const caller = async (_: unknown, index: number) => {
    for (let sent = 0; (messagesPerCaller === undefined || sent < messagesPerCaller) && now() < deadline && !signal?.aborted; ) {
      const began = now();
      const measured = began >= start;
      if (measured) {
        sent++;
        if (!measuring) {
          measuring = true;
          meter.begin(began);
        }
      }
      const sending = send(seq++);
      if (signal) sending.catch(() => undefined);
      try {
        const bytes = signal ? await untilStopped(index, sending) : await sending;
        if (bytes === STOPPED) break;
        if (measured) meter.record(now() - began, bytes);
      } catch (error) {
        if (signal?.aborted) break;
        if (measured) meter.fail(error);
      }
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
      else if (now() - yielded >= YIELD_MS) {
        yielded = now();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, caller));
  meter.end();
}
