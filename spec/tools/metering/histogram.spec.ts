import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHistogram } from '../../../tools/metering/histogram.js';

const Histogram = suite('createHistogram()');

Histogram('should answer 0 for every figure while empty', () => {
  const h = createHistogram();
  assert.is(h.count, 0);
  assert.is(h.quantile(0.5), 0);
  assert.is(h.minMs, 0);
  assert.is(h.maxMs, 0);
  assert.is(h.meanMs, 0);
});

Histogram('should keep latencies below 128 µs exact to the microsecond', () => {
  const h = createHistogram();
  for (let us = 1; us <= 100; us++) h.record(us / 1000);
  assert.is(h.quantile(0.5), 0.05);
  assert.is(h.quantile(0.99), 0.099);
  assert.is(h.quantile(1), 0.1);
});

Histogram('should give quantiles within 1 % across six decades', () => {
  for (const ms of [0.25, 3.7, 42, 980, 61_000]) {
    const h = createHistogram();
    for (let i = 0; i < 1000; i++) h.record(ms * (0.5 + i / 1000));
    const exactMedian = ms * (0.5 + 499 / 1000);
    assert.ok(Math.abs(h.quantile(0.5) - exactMedian) / exactMedian < 0.01, `p50 of ${ms}: ${h.quantile(0.5)} vs ${exactMedian}`);
  }
});

Histogram('should keep count, min, max and mean exact', () => {
  const h = createHistogram();
  for (const ms of [2, 4, 9]) h.record(ms);
  assert.is(h.count, 3);
  assert.is(h.minMs, 2);
  assert.is(h.maxMs, 9);
  assert.is(h.meanMs, 5);
});

Histogram('should never report a quantile outside what was recorded', () => {
  const h = createHistogram();
  h.record(1000.3);
  assert.is(h.quantile(0.5), 1000.3);
  assert.is(h.quantile(0), 1000.3);
});

Histogram('should count negative values as 0 and huge ones in the last bucket', () => {
  const h = createHistogram();
  h.record(-5);
  h.record(10 ** 9);
  assert.is(h.count, 2);
  assert.is(h.quantile(0.5), 0);
  assert.is(h.quantile(1), 10 ** 9);
});

Histogram.run();
