import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Result } from '../../bench/result.js';
import { checkProtocolTargets, checkTargets, checkZmqTargets, formatTargets } from '../../bench/targets.js';

function row(fields: Partial<Result> & Pick<Result, 'engine' | 'kind' | 'broker' | 'concurrency'>): Result {
  return { scenario: `${fields.broker}-${fields.kind}-p${fields.concurrency}`, size: 100, ...fields };
}

const Targets = suite('checkTargets()');

Targets('should meet every target with results at the thresholds', () => {
  const results = [
    row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'rx', msg_per_s: 7000, ratio: 0.9, p99_ratio: 1.5 }),
    row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'oslo', msg_per_s: 1000 }),
    row({ broker: 'rabbit', kind: 'call', concurrency: 50, engine: 'rx', msg_per_s: 12000, ratio: 0.95, p99_ratio: 1.2 }),
    row({ broker: 'rabbit', kind: 'cast', concurrency: 50, engine: 'rx', msg_per_s: 28000, ratio: 0.95 }),
    row({ broker: 'rabbit', kind: 'notify', concurrency: 50, engine: 'rx', msg_per_s: 28000, ratio: 1.1 }),
  ];
  const checks = checkTargets(results);
  assert.is(checks.length, 5);
  assert.ok(
    checks.every((c) => c.met === true),
    formatTargets(checks),
  );
});

Targets('should miss a call target on throughput or on p99 alone', () => {
  const checks = checkTargets([
    row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'rx', msg_per_s: 7000, ratio: 0.89, p99_ratio: 1 }),
    row({ broker: 'rabbit', kind: 'call', concurrency: 50, engine: 'rx', msg_per_s: 7000, ratio: 1.2, p99_ratio: 1.6 }),
  ]);
  assert.is(checks[0]!.met, false);
  assert.is(checks[1]!.met, false);
  assert.match(checks[1]!.measured, /1.2 x calls\/s, p99 1.6 x/);
});

Targets("should name the protocol's floor beside a call target when amqplib speaking oslo's wire format ran", () => {
  const checks = checkTargets([
    row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'rx', msg_per_s: 5000, ratio: 0.79, p99_ratio: 1.1 }),
    row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'amqplib-oslo', msg_per_s: 4500, ratio: 0.7, p99_ratio: 1.6 }),
  ]);
  assert.is(checks[0]!.measured, "0.79 x calls/s, p99 1.1 x (amqplib speaking oslo's wire format: 0.7 x calls/s)");
  assert.is(checks[0]!.met, false, 'the floor explains a miss, it does not excuse it');
});

Targets("should name the protocol's floor beside the cast, notification and oslo targets too", () => {
  const checks = checkTargets([
    row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'rx', msg_per_s: 5400, ratio: 0.77, p99_ratio: 1 }),
    row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'oslo', msg_per_s: 900 }),
    row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'amqplib-oslo', msg_per_s: 5040, ratio: 0.72 }),
    row({ broker: 'rabbit', kind: 'notify', concurrency: 50, engine: 'rx', msg_per_s: 22000, ratio: 0.93 }),
    row({ broker: 'rabbit', kind: 'notify', concurrency: 50, engine: 'amqplib-oslo', msg_per_s: 19000, ratio: 0.8 }),
    row({ broker: 'rabbit', kind: 'cast', concurrency: 50, engine: 'rx', msg_per_s: 23000, ratio: 1.07 }),
  ]);
  const byTarget = (pattern: RegExp) => checks.find((c) => pattern.test(c.target))!;
  assert.is(byTarget(/notify/).measured, "0.93 x (amqplib speaking oslo's wire format: 0.8 x)");
  assert.is(byTarget(/cast/).measured, '1.07 x', 'no floor when amqplib-oslo did not run');
  assert.is(byTarget(/7 x Python/).measured, "6.0 x (amqplib speaking oslo's wire format: 5.6 x)");
});

Targets('should say "not measured", neither met nor missed, for targets whose rows were skipped', () => {
  const checks = checkTargets([row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'rx', skipped: 'no RabbitMQ' })]);
  assert.ok(checks.every((c) => c.met === undefined && c.measured === 'not measured'));
  assert.match(formatTargets(checks), /^n\/a {3}RabbitMQ call p5/);
});

Targets('should compare rx-messaging with oslo.messaging at 5 callers, 7 times over', () => {
  const at = (rx: number) =>
    checkTargets([
      row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'rx', msg_per_s: rx }),
      row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'oslo', msg_per_s: 700 }),
    ]).find((c) => /oslo/.test(c.target))!;
  assert.is(at(4900).met, true);
  assert.is(at(4899).met, false);
  assert.is(at(4899).measured, '7.0 x');
});

Targets.run();

const ZmqTargets = suite('checkZmqTargets()');

ZmqTargets('should hold rx-zmq to 0.8 of plain zeromq.js on calls at 5 and 50 callers and on casts', () => {
  const checks = checkZmqTargets([
    row({ broker: 'zmq', kind: 'call', concurrency: 5, engine: 'rx-zmq', msg_per_s: 12_000, ratio: 0.8 }),
    row({ broker: 'zmq', kind: 'call', concurrency: 50, engine: 'rx-zmq', msg_per_s: 15_000, ratio: 0.79 }),
    row({ broker: 'zmq', kind: 'cast', concurrency: 50, engine: 'rx-zmq', msg_per_s: 90_000, ratio: 0.9 }),
  ]);
  assert.equal(
    checks.map((c) => [c.target, c.met, c.measured]),
    [
      ['ZeroMQ call p5: rx-zmq >= 0.8 x plain zeromq.js calls/s', true, '0.8 x'],
      ['ZeroMQ call p50: rx-zmq >= 0.8 x plain zeromq.js calls/s', false, '0.79 x'],
      ['ZeroMQ cast: rx-zmq >= 0.8 x plain zeromq.js msg/s', true, '0.9 x'],
      ['ZeroMQ call p5: rx-zmq >= 4 x rx-messaging over RabbitMQ calls/s', undefined, 'not measured'],
    ],
  );
});

ZmqTargets('should compare rx-zmq calls at 5 callers with rx-messaging over RabbitMQ, 4 times over', () => {
  const at = (zmq: number) =>
    checkZmqTargets([
      row({ broker: 'zmq', kind: 'call', concurrency: 5, engine: 'rx-zmq', msg_per_s: zmq }),
      row({ broker: 'rabbit', kind: 'call', concurrency: 5, engine: 'rx', msg_per_s: 5000 }),
    ]).at(-1)!;
  assert.is(at(20_000).met, true);
  assert.is(at(19_999).met, false);
  assert.is(at(20_000).measured, '4.0 x (20,000 against 5,000 calls/s)');
});

ZmqTargets('should say "not measured" for a skipped rx-zmq row', () => {
  const checks = checkZmqTargets([row({ broker: 'zmq', kind: 'call', concurrency: 5, engine: 'rx-zmq', skipped: 'DriverLoadFailure' })]);
  assert.ok(checks.every((c) => c.met === undefined && c.measured === 'not measured'));
});

ZmqTargets.run();

const ProtocolTargets = suite('checkProtocolTargets()');

const protocolRun = (rx: number) => [
  ...[1, 5, 50].flatMap((concurrency) => [
    row({ broker: 'rabbit', kind: 'call', concurrency, engine: 'rx', msg_per_s: rx }),
    row({ broker: 'rabbit', kind: 'call', concurrency, engine: 'amqplib', msg_per_s: 1000 }),
    row({ broker: 'rabbit', kind: 'call', concurrency, engine: 'amqplib-oslo', msg_per_s: 950 }),
  ]),
  ...['cast', 'notify'].flatMap((kind) => [
    row({ broker: 'rabbit', kind: kind as Result['kind'], concurrency: 50, engine: 'rx', msg_per_s: rx }),
    row({ broker: 'rabbit', kind: kind as Result['kind'], concurrency: 50, engine: 'amqplib-confirm', msg_per_s: 950 }),
  ]),
  row({ broker: 'memory', kind: 'call', concurrency: 50, engine: 'rx', msg_per_s: rx * 150 }),
];

ProtocolTargets('should meet each target at its threshold and miss it just below, on the figures', () => {
  const met = checkProtocolTargets(protocolRun(1000));
  assert.is(met.length, 8);
  assert.ok(
    met.every((c) => c.met === true),
    formatTargets(met),
  );
  const missed = checkProtocolTargets(protocolRun(949));
  assert.ok(
    missed.every((c) => c.met === false),
    formatTargets(missed),
  );
  assert.is(missed[0]!.measured, '0.95 x (949 against 1,000/s)', 'the rounded ratio is printed, the figures decide');
});

ProtocolTargets('should compare casts and notifications with amqplib awaiting confirms, and calls with amqplib speaking oslo', () => {
  const checks = checkProtocolTargets(protocolRun(1000));
  assert.equal(
    checks.map((c) => c.target),
    [
      'RabbitMQ call p5: >= 0.95 x amqplib calls/s',
      'RabbitMQ call p50: >= 0.95 x amqplib calls/s',
      "RabbitMQ call p1, oslo's wire: >= 1.0 x amqplib speaking it calls/s",
      "RabbitMQ call p5, oslo's wire: >= 1.0 x amqplib speaking it calls/s",
      "RabbitMQ call p50, oslo's wire: >= 1.0 x amqplib speaking it calls/s",
      'RabbitMQ cast: >= 1.0 x amqplib awaiting confirms msg/s',
      'RabbitMQ notify: >= 1.0 x amqplib awaiting confirms msg/s',
      'memory:// call p50: >= 150,000 calls/s',
    ],
  );
  assert.is(checks[5]!.measured, '1.05 x (1,000 against 950/s)');
});

ProtocolTargets('should say "not measured" where a row is missing', () => {
  assert.ok(checkProtocolTargets([]).every((c) => c.met === undefined && c.measured === 'not measured'));
});

ProtocolTargets.run();
