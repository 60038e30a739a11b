/**
 * A notification's timestamp, as oslo writes it with `str(utcnow())`: "2026-11-22 05:25:21.387733",
 * UTC, microseconds, and no fraction at all when the microseconds are zero (Python's `str`).
 */

/**
 * Microseconds since the epoch: the wall clock's milliseconds (which follow clock adjustments,
 * unlike `performance.timeOrigin + now()` in a long-lived process) and the sub-millisecond
 * digits of the performance clock.
 */
export function epochMicros(): number {
  return Date.now() * 1000 + Math.floor((performance.now() % 1) * 1000);
}

export function osloTimestamp(micros = epochMicros()): string {
  const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  const seconds = new Date((micros - fraction) / 1000).toISOString().slice(0, 19).replace('T', ' ');
  return fraction === 0 ? seconds : `${seconds}.${String(fraction).padStart(6, '0')}`;
}
