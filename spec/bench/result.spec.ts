import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Summary } from '../../tools/metering/meter.js';
import type { Report } from '../../tools/metering/report.js';
import { fastest, measured, skipped, withRatios } from '../../bench/result.js';
import { REFERENCE, SCENARIOS, type Scenario } from '../../bench/scenarios.js';

function summary(fields: Partial<Summary>): Summary {
  return { messages: 0, seconds: 0, msg_per_s: 0, bytes: 0, p50_ms: 0, p99_ms: 0, mean_ms: 0, min_ms: 0, max_ms: 0, errors: 0, errors_by_type: {}, ...fields };
}

function report(role: string, start_ts: number, end_ts: number, fields: Partial<Summary>): Report {
  return { tool: 't', role, start_ts, end_ts, options: {}, series: [], summary: summary(fields) };
}

const scenario = (kind: Scenario['kind']) => SCENARIOS.find((s) => s.kind === kind && s.broker === 'rabbit')!;

const Result = suite('bench results');

Result('should measure a call at the client: its rate and its round-trip latency', () => {
  const result = measured(scenario('call'), 'rx', {
    server: report('rpc-server', 100, 104, { messages: 4000, msg_per_s: 1000, p50_ms: 0.2, p99_ms: 0.9, errors: 1 }),
    client: report('rpc-client', 100, 104, { messages: 4000, msg_per_s: 1000, p50_ms: 1.5, p99_ms: 4 }),
  });
  assert.equal(
    { msg_per_s: result.msg_per_s, p50_ms: result.p50_ms, p99_ms: result.p99_ms, messages: result.messages, errors: result.errors, lost: result.lost },
    { msg_per_s: 1000, p50_ms: 1.5, p99_ms: 4, messages: 4000, errors: 1, lost: 0 },
  );
});

Result('should measure a cast where it arrives: received from the first send to the last receipt, one-way latency, and what never arrived', () => {
  const result = measured(scenario('cast'), 'amqplib', {
    server: report('rpc-server', 101, 110, { messages: 9000, p50_ms: 30, p99_ms: 90 }),
    client: report('rpc-client', 100, 104, { messages: 9500, msg_per_s: 2375 }),
  });
  assert.is(result.msg_per_s, 900);
  assert.is(result.p50_ms, 30);
  assert.is(result.p99_ms, 90);
  assert.is(result.lost, 500);
});

Result('should give each engine its ratio to plain amqplib on RabbitMQ, and none on memory://', () => {
  const call = scenario('call');
  const memory = SCENARIOS.find((s) => s.broker === 'memory')!;
  const base = { server: report('s', 0, 1, {}), client: report('c', 0, 1, {}) };
  const at = (s: Scenario, engine: 'rx' | 'amqplib' | 'oslo', rate: number, p99: number) =>
    measured(s, engine, { ...base, client: report('c', 0, 1, { messages: rate, msg_per_s: rate, p99_ms: p99 }) });
  const rated = withRatios(
    [at(call, 'rx', 900, 3), at(call, 'amqplib', 1000, 2), at(call, 'oslo', 100, 20), at(memory, 'rx', 50_000, 1), skipped(call, 'rx-msgpack', 'no driver option')],
    (broker) => REFERENCE[broker],
  );
  assert.equal(
    rated.map((r) => [r.engine, r.ratio, r.p99_ratio]),
    [
      ['rx', 0.9, 1.5],
      ['amqplib', 1, 1],
      ['oslo', 0.1, 10],
      ['rx', undefined, undefined],
      ['rx-msgpack', undefined, undefined],
    ],
  );
  assert.is(rated[4]!.skipped, 'no driver option');
});

Result.run();

const Fastest = suite('fastest()');

Fastest("should keep the fastest run whole, with every run's msg/s", () => {
  const call = scenario('call');
  const run = (rate: number, p99: number) => measured(call, 'rx', { server: report('s', 0, 1, {}), client: report('c', 0, 1, { messages: rate, msg_per_s: rate, p99_ms: p99 }) });
  const kept = fastest([run(900, 4), run(1200, 3), run(700, 9)]);
  assert.is(kept.msg_per_s, 1200);
  assert.is(kept.p99_ms, 3);
  assert.equal(kept.runs, [900, 1200, 700]);
  assert.is(fastest([run(500, 1)]).runs, undefined);
});

Fastest.run();
