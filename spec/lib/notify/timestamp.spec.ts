import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { epochMicros, osloTimestamp } from '../../../lib/notify/timestamp.js';

const Timestamp = suite('osloTimestamp');

Timestamp("should write UTC as Python's str(datetime) does, with microseconds", () => {
  assert.is(osloTimestamp(Date.UTC(2026, 10, 22, 5, 25, 21) * 1000 + 387_733), '2026-11-22 05:25:21.387733');
  assert.is(osloTimestamp(Date.UTC(2026, 0, 2, 3, 4, 5) * 1000 + 7), '2026-01-02 03:04:05.000007');
});

Timestamp('should leave the fraction out when the microseconds are zero, as Python does', () => {
  assert.is(osloTimestamp(Date.UTC(2026, 10, 22, 5, 25, 21) * 1000), '2026-11-22 05:25:21');
});

Timestamp('should default to now', () => {
  const before = Date.now();
  const text = osloTimestamp();
  assert.match(text, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
  const parsed = Date.parse(`${text.replace(' ', 'T').slice(0, 23)}Z`);
  assert.ok(parsed >= before - 1 && parsed <= Date.now() + 1, `${text} is now`);
  assert.ok(Math.abs(epochMicros() / 1000 - Date.now()) < 2);
});

Timestamp('should give stamps in order when taken in a row', () => {
  const stamps = Array.from({ length: 2_000 }, () => epochMicros());
  assert.ok(stamps.every((stamp, i) => i === 0 || stamp >= (stamps[i - 1] as number)));
});

Timestamp.run();
