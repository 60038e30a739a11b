import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createMeter } from '../../../tools/metering/meter.js';

/** A clock the test moves by hand, in ms. */
function clock(start = 1000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const Meter = suite('createMeter()');

Meter('should put each message in the second it was recorded in, counted from the first event', () => {
  const time = clock();
  const meter = createMeter(time.now);
  meter.record(2, 10);
  time.advance(400);
  meter.record(4, 10);
  time.advance(1700);
  meter.record(1, 5);
  assert.equal(meter.series(), [
    { second: 0, count: 2, bytes: 20, latency_ms: 3, min_ms: 2, max_ms: 4, errors: 0 },
    { second: 1, count: 0, bytes: 0, latency_ms: 0, min_ms: 0, max_ms: 0, errors: 0 },
    { second: 2, count: 1, bytes: 5, latency_ms: 1, min_ms: 1, max_ms: 1, errors: 0 },
  ]);
});

Meter('should sum up messages, seconds from the first to the last event, rate and latency', () => {
  const time = clock();
  const meter = createMeter(time.now);
  for (let i = 0; i < 100; i++) {
    meter.record(i < 50 ? 1 : 3, 100);
    time.advance(20);
  }
  const summary = meter.summary();
  assert.is(summary.messages, 100);
  assert.is(summary.seconds, 1.98);
  assert.is(summary.msg_per_s, 51);
  assert.is(summary.bytes, 10_000);
  // Quantiles are as precise as the histogram (1/128); the mean is exact.
  assert.ok(Math.abs(summary.p50_ms - 1) < 0.01, `p50 ${summary.p50_ms}`);
  assert.ok(Math.abs(summary.p99_ms - 3) < 0.03, `p99 ${summary.p99_ms}`);
  assert.is(summary.mean_ms, 2);
});

Meter('should run its clock from begin() to end() when they are called', () => {
  const time = clock();
  const meter = createMeter(time.now);
  meter.begin();
  time.advance(500);
  meter.record(1, 1);
  time.advance(1500);
  meter.end();
  assert.is(meter.summary().seconds, 2);
  assert.is(meter.summary().msg_per_s, 1);
  assert.equal(meter.window(), { start: 1000, end: 3000 });
});

Meter('should count failures by error name, apart from messages', () => {
  const meter = createMeter(clock().now);
  meter.fail(new RangeError('x'));
  meter.fail(new RangeError('y'));
  meter.fail('a string');
  meter.record(1, 1);
  const summary = meter.summary();
  assert.is(summary.messages, 1);
  assert.is(summary.errors, 3);
  assert.equal(summary.errors_by_type, { RangeError: 2, string: 1 });
  assert.is(meter.series()[0]!.errors, 3);
});

Meter('should show the last full second, once one has passed', () => {
  const time = clock();
  const meter = createMeter(time.now);
  meter.record(1, 1);
  assert.is(meter.lastSecond(), undefined);
  time.advance(1200);
  assert.equal(meter.lastSecond(), { second: 0, count: 1, bytes: 1, latency_ms: 1, min_ms: 1, max_ms: 1, errors: 0 });
  time.advance(1000);
  assert.is(meter.lastSecond()!.count, 0);
});

Meter('should report nothing measured before any event', () => {
  const meter = createMeter(clock().now);
  assert.is(meter.window(), undefined);
  assert.equal(meter.series(), []);
  assert.is(meter.summary().seconds, 0);
  assert.is(meter.summary().msg_per_s, 0);
});

Meter.run();
