/**
 * A latency histogram of fixed size: values in microseconds, exact below 128 µs and within
 * 1/128 (0.8 %) above, up to 2^31 µs. Recording never allocates, so a soak of millions of
 * calls measures the messaging code and not the measuring.
 */

/** Sub-buckets per power of two: the top 7 bits of a value are kept. */
const LINEAR = 128;
const HALF = LINEAR / 2;
const MAX_US = 2 ** 31 - 1;
const BUCKETS = LINEAR + 24 * HALF;

/** @internal */
export interface Histogram {
  readonly count: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly meanMs: number;
  record(ms: number): void;
  /** The value at quantile `q` (0..1) in ms, within the bucket precision; 0 when empty. */
  quantile(q: number): number;
}

/** @internal */
export function createHistogram(): Histogram {
  const counts = new Float64Array(BUCKETS);
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  return {
    get count() {
      return count;
    },
    get minMs() {
      return count ? min : 0;
    },
    get maxMs() {
      return count ? max : 0;
    },
    get meanMs() {
      return count ? sum / count : 0;
    },
    record(ms) {
      const value = Math.max(ms, 0);
      counts[bucketOf(Math.min(Math.round(value * 1000), MAX_US))]!++;
      count++;
      sum += value;
      if (value < min) min = value;
      if (value > max) max = value;
    },
    quantile(q) {
      if (!count) return 0;
      const rank = Math.max(1, Math.ceil(Math.min(Math.max(q, 0), 1) * count));
      if (rank === count) return max;
      let seen = 0;
      for (let index = 0; index < BUCKETS; index++) {
        seen += counts[index]!;
        // The bucket's middle, kept within what was really recorded.
        if (seen >= rank) return Math.min(Math.max(middleOf(index) / 1000, min), max);
      }
      return max;
    },
  };
}

function bucketOf(us: number): number {
  if (us < LINEAR) return us;
  const shift = 31 - Math.clz32(us) - 6;
  return LINEAR + (shift - 1) * HALF + ((us >>> shift) - HALF);
}

function middleOf(index: number): number {
  if (index < LINEAR) return index;
  const shift = Math.floor((index - LINEAR) / HALF) + 1;
  const mantissa = ((index - LINEAR) % HALF) + HALF;
  return (mantissa + 0.5) * 2 ** shift;
}
