/**
 * A notification's timestamp, as oslo writes it with `str(utcnow())`: "2026-11-22 05:25:21.387733",
 * UTC, microseconds, and no fraction at all when the microseconds are zero (Python's `str`).
 */

/** Wall-clock ms minus the performance clock: turns the performance clock into epoch time. */
let offset = Date.now() - performance.now();

/**
 * Microseconds since the epoch, from the performance clock (sub-millisecond, steady, so stamps
 * taken in a row are in order) anchored to the wall clock, and re-anchored when the two drift
 * apart by more than a millisecond (the wall clock was adjusted, or the process slept).
 * @internal
 */
export function epochMicros(): number {
  const now = performance.now();
  const wall = Date.now();
  if (Math.abs(offset + now - wall) > 1) offset = wall - now;
  return Math.floor((offset + now) * 1000);
}

/** The last second formatted: a notifier sends many notifications a second, and a Date's ISO text is its dearest part. */
let formatted = { second: Number.NaN, text: '' };

/** @internal */
export function osloTimestamp(micros = epochMicros()): string {
  const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  const second = (micros - fraction) / 1_000_000;
  if (second !== formatted.second) formatted = { second, text: new Date(second * 1000).toISOString().slice(0, 19).replace('T', ' ') };
  return fraction === 0 ? formatted.text : `${formatted.text}.${String(fraction).padStart(6, '0')}`;
}
