/**
 * What a simulator role measured: every message's latency and size, errors by type, and a
 * series of one entry per second, as oslo's simulator reports them. The clock is
 * `performance.now()`; the time origin is the first event unless `begin()` set it earlier.
 */
import { createHistogram, type Histogram } from './histogram.js';

/** One second of a run. @internal */
export interface SecondStats {
  /** Seconds since the start, from 0. */
  readonly second: number;
  readonly count: number;
  readonly bytes: number;
  /** Mean latency of the second's messages. */
  readonly latency_ms: number;
  readonly min_ms: number;
  readonly max_ms: number;
  readonly errors: number;
}

/** @internal */
export interface Summary {
  readonly messages: number;
  readonly seconds: number;
  readonly msg_per_s: number;
  readonly bytes: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly mean_ms: number;
  readonly min_ms: number;
  readonly max_ms: number;
  readonly errors: number;
  /** Error counts by the error's name (e.g. MessagingTimeout). */
  readonly errors_by_type: Readonly<Record<string, number>>;
}

/** @internal */
export interface Meter {
  readonly count: number;
  readonly errors: number;
  /** Starts the clock now (or at `at`, a `performance.now()` time) instead of at the first event. */
  begin(at?: number): void;
  /** One message and its latency (ms). */
  record(latencyMs: number, bytes: number): void;
  fail(error: unknown): void;
  /** Stops the clock: `seconds` runs to now instead of to the last event. */
  end(): void;
  /** From the start to the end (or the last event), in `performance.now()` time; undefined before any event. */
  window(): { readonly start: number; readonly end: number } | undefined;
  /** The last full second's figures, for progress lines; undefined before the first second ends. */
  lastSecond(): SecondStats | undefined;
  series(): SecondStats[];
  summary(): Summary;
}

interface Slot {
  count: number;
  bytes: number;
  sum: number;
  min: number;
  max: number;
  errors: number;
}

/** `onBegin`: called when `begin()` starts the measured time, e.g. to say so to a bench counting CPU time from then. @internal */
export function createMeter(now: () => number = () => performance.now(), onBegin?: () => void): Meter {
  const latencies: Histogram = createHistogram();
  const slots: Slot[] = [];
  const errorTypes: Record<string, number> = {};
  let origin: number | undefined;
  let last: number | undefined;
  let ended: number | undefined;
  let bytes = 0;
  let errors = 0;

  const slotAt = (time: number): Slot => {
    origin ??= time;
    last = time;
    const index = Math.max(0, Math.floor((time - origin) / 1000));
    while (slots.length <= index) slots.push({ count: 0, bytes: 0, sum: 0, min: Infinity, max: 0, errors: 0 });
    return slots[index]!;
  };
  const toStats = (slot: Slot, second: number): SecondStats => ({
    second,
    count: slot.count,
    bytes: slot.bytes,
    latency_ms: slot.count ? round(slot.sum / slot.count) : 0,
    min_ms: slot.count ? round(slot.min) : 0,
    max_ms: round(slot.max),
    errors: slot.errors,
  });

  return {
    get count() {
      return latencies.count;
    },
    get errors() {
      return errors;
    },
    begin(at = now()) {
      origin = at;
      last = at;
      onBegin?.();
    },
    record(latencyMs, size) {
      const slot = slotAt(now());
      slot.count++;
      slot.bytes += size;
      slot.sum += latencyMs;
      if (latencyMs < slot.min) slot.min = latencyMs;
      if (latencyMs > slot.max) slot.max = latencyMs;
      latencies.record(latencyMs);
      bytes += size;
    },
    fail(error) {
      slotAt(now()).errors++;
      errors++;
      const type = error instanceof Error ? error.name : typeof error;
      errorTypes[type] = (errorTypes[type] ?? 0) + 1;
    },
    end() {
      ended = now();
    },
    lastSecond() {
      if (origin === undefined) return undefined;
      const index = Math.floor((now() - origin) / 1000) - 1;
      if (index < 0) return undefined;
      const slot = slots[index];
      return slot ? toStats(slot, index) : toStats({ count: 0, bytes: 0, sum: 0, min: 0, max: 0, errors: 0 }, index);
    },
    window() {
      return origin === undefined ? undefined : { start: origin, end: ended ?? last ?? origin };
    },
    series() {
      return slots.map(toStats);
    },
    summary() {
      const seconds = origin === undefined ? 0 : ((ended ?? last ?? origin) - origin) / 1000;
      const messages = latencies.count;
      return {
        messages,
        seconds: round(seconds),
        msg_per_s: seconds > 0 ? Math.round(messages / seconds) : 0,
        bytes,
        p50_ms: round(latencies.quantile(0.5)),
        p99_ms: round(latencies.quantile(0.99)),
        mean_ms: round(latencies.meanMs),
        min_ms: round(latencies.minMs),
        max_ms: round(latencies.maxMs),
        errors,
        errors_by_type: { ...errorTypes },
      };
    },
  };
}

/** Three decimals: µs precision in ms, and JSON that stays readable. */
function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
