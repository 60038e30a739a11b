/**
 * The JSON a simulator role writes with `--json FILE`: what ran, the per-second series and the
 * summary. The benchmark runner reads the same file from every harness (rx-messaging, raw
 * amqplib, Python oslo.messaging), so the shape is the contract between them.
 */
import { writeFile } from 'node:fs/promises';
import type { Meter, SecondStats, Summary } from './meter.js';

/** @internal */
export interface Report {
  readonly tool: string;
  readonly role: string;
  /** Epoch seconds of the first and last message measured (or the run's start and end for clients). */
  readonly start_ts: number;
  readonly end_ts: number;
  readonly options: Readonly<Record<string, unknown>>;
  readonly series: readonly SecondStats[];
  readonly summary: Summary;
}

/** `performance.now()` time as epoch seconds. */
function epochSeconds(at: number): number {
  return (performance.timeOrigin + at) / 1000;
}

/** @internal */
export function buildReport(tool: string, role: string, options: Readonly<Record<string, unknown>>, meter: Meter): Report {
  const now = performance.now();
  const window = meter.window() ?? { start: now, end: now };
  return {
    tool,
    role,
    start_ts: epochSeconds(window.start),
    end_ts: epochSeconds(window.end),
    options,
    series: meter.series(),
    summary: meter.summary(),
  };
}

/** @internal */
export async function writeReport(file: string, report: Report): Promise<void> {
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}

/** The summary as oslo's simulator prints it, on one line. @internal */
export function summaryLine(role: string, summary: Summary): string {
  const errors = summary.errors
    ? `, ${summary.errors} errors (${Object.entries(summary.errors_by_type)
        .map(([type, n]) => `${type} ${n}`)
        .join(', ')})`
    : '';
  return `${role}: ${summary.messages} msg in ${summary.seconds} s = ${summary.msg_per_s} msg/s, ${summary.bytes} bytes, latency p50 ${summary.p50_ms} ms p99 ${summary.p99_ms} ms (min ${summary.min_ms} max ${summary.max_ms})${errors}`;
}
