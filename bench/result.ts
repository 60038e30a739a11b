/**
 * One row of the benchmark: an engine's figures for a scenario, taken from its two reports.
 * A call is measured where it ends, at the client: completed calls per second and round-trip
 * latency. A cast, fanout cast or notification is measured where it arrives: messages the
 * server received per second from the client's first send to the server's last receipt, and
 * one-way latency. Sent but never received is counted as lost.
 */
import type { Report } from '../tools/metering/report.js';
import type { CpuSpent } from './cpu-time.js';
import type { Broker, Engine, Kind, Scenario } from './scenarios.js';

export interface Result {
  readonly scenario: string;
  readonly kind: Kind;
  readonly broker: Broker;
  readonly concurrency: number;
  readonly size: number;
  readonly engine: Engine;
  /** Why the engine did not run, when it did not. */
  readonly skipped?: string;
  readonly msg_per_s?: number;
  readonly p50_ms?: number;
  readonly p99_ms?: number;
  readonly messages?: number;
  readonly errors?: number;
  readonly lost?: number;
  /** Throughput over the reference engine's for the scenario (plain amqplib on RabbitMQ). */
  readonly ratio?: number;
  readonly p99_ratio?: number;
  /** CPU µs per message of the engine's server and client together, and of the broker (a local one), in the run kept. */
  readonly cpu_us?: number;
  readonly broker_cpu_us?: number;
  /** msg/s of every run, when the engine ran more than once (the figures are the fastest run's). */
  readonly runs?: readonly number[];
}

export function measured(scenario: Scenario, engine: Engine, reports: { server: Report; client: Report }, spent?: CpuSpent): Result {
  const { server, client } = reports;
  const errors = server.summary.errors + client.summary.errors;
  const counted = scenario.kind === 'call' ? client.summary.messages : server.summary.messages;
  const perMessage = (us: number | undefined) => (us === undefined || counted === 0 ? undefined : Math.round(us / counted));
  const cpu = perMessage(spent?.engineUs);
  const brokerCpu = perMessage(spent?.brokerUs);
  const base = { ...describe(scenario, engine), ...(cpu !== undefined && { cpu_us: cpu }), ...(brokerCpu !== undefined && { broker_cpu_us: brokerCpu }) };
  if (scenario.kind === 'call') {
    return { ...base, msg_per_s: client.summary.msg_per_s, p50_ms: client.summary.p50_ms, p99_ms: client.summary.p99_ms, messages: counted, errors, lost: 0 };
  }
  const seconds = server.end_ts - client.start_ts;
  return {
    ...base,
    msg_per_s: seconds > 0 ? Math.round(counted / seconds) : 0,
    p50_ms: server.summary.p50_ms,
    p99_ms: server.summary.p99_ms,
    messages: counted,
    errors,
    lost: Math.max(0, client.summary.messages - counted),
  };
}

/**
 * The fastest of several runs, with every run's msg/s. Load elsewhere on the machine only ever
 * slows a run down, so the fastest is the least disturbed.
 */
export function fastest(runs: readonly Result[]): Result {
  if (runs.length === 0) throw new RangeError('no runs to choose from');
  const best = runs.reduce((a, b) => ((b.msg_per_s ?? 0) > (a.msg_per_s ?? 0) ? b : a));
  return runs.length === 1 ? best : { ...best, runs: runs.map((r) => r.msg_per_s ?? 0) };
}

export function skipped(scenario: Scenario, engine: Engine, reason: string): Result {
  return { ...describe(scenario, engine), skipped: reason };
}

/** Each result with its ratios to the reference engine's result of the same scenario. */
export function withRatios(results: readonly Result[], reference: (broker: Broker) => Engine | undefined): Result[] {
  return results.map((result) => {
    const engine = reference(result.broker);
    const ref = engine && results.find((r) => r.scenario === result.scenario && r.engine === engine);
    if (!ref?.msg_per_s || result.msg_per_s === undefined) return result;
    return {
      ...result,
      ratio: round(result.msg_per_s / ref.msg_per_s),
      ...(ref.p99_ms && result.p99_ms !== undefined && { p99_ratio: round(result.p99_ms / ref.p99_ms) }),
    };
  });
}

function describe(scenario: Scenario, engine: Engine) {
  return { scenario: scenario.id, kind: scenario.kind, broker: scenario.broker, concurrency: scenario.concurrency, size: scenario.size, engine };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
