/** The results as a plain-text table: each figure and its ratio to the reference engine. */
import type { Result } from './result.js';

const HEADERS = ['scenario', 'engine', 'msg/s', 'x ref', 'p50 ms', 'p99 ms', 'p99 x ref', 'errors', 'lost'];

export function formatTable(results: readonly Result[]): string {
  const rows = results.map((r) =>
    r.skipped !== undefined
      ? [label(r), r.engine, `skipped: ${brief(r.skipped)}`]
      : [
          label(r),
          r.engine,
          thousands(r.msg_per_s ?? 0),
          r.ratio === undefined ? '' : r.ratio.toFixed(2),
          (r.p50_ms ?? 0).toFixed(3),
          (r.p99_ms ?? 0).toFixed(3),
          r.p99_ratio === undefined ? '' : r.p99_ratio.toFixed(2),
          String(r.errors ?? 0),
          String(r.lost ?? 0),
        ],
  );
  const widths = HEADERS.map((header, i) => Math.max(header.length, ...rows.filter((row) => row.length > 3).map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    cells.length === 3
      ? `${cells[0]!.padEnd(widths[0]!)}  ${cells[1]!.padEnd(widths[1]!)}  ${cells[2]}`
      : cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(HEADERS), rule, ...rows.map(line)].join('\n');
}

/** "rabbit call p5 100 B": the scenario in words. */
export function label(r: Pick<Result, 'broker' | 'kind' | 'concurrency' | 'size'>): string {
  return `${r.broker} ${r.kind} p${r.concurrency} ${r.size >= 1000 ? `${r.size / 1000} kB` : `${r.size} B`}`;
}

/** A skip reason's first sentence, short enough for a table line (the JSON has it whole). */
function brief(reason: string): string {
  const first = reason.split(/(?<=[.;:])\s/)[0] ?? reason;
  return first.length > 100 ? `${first.slice(0, 99)}…` : first;
}

function thousands(value: number): string {
  return value.toLocaleString('en-US');
}
