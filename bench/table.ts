/** The results as a plain-text table: each figure and its ratio to the reference engine. */
import type { Peer, PeerComparison } from './peers.js';
import type { Result } from './result.js';

const HEADERS = ['scenario', 'engine', 'msg/s', 'x ref', 'p50 ms', 'p99 ms', 'p99 x ref', 'cpu us', 'broker us', 'errors', 'lost'];

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
          r.cpu_us === undefined ? '' : String(r.cpu_us),
          r.broker_cpu_us === undefined ? '' : String(r.broker_cpu_us),
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

const PEER_HEADERS = ['scenario', 'rx msg/s', 'nestjs', 'moleculer', 'rx x nestjs', 'rx x moleculer', 'rx x fastest peer', 'rx x amqplib'];

/**
 * rx-messaging against the peers, one line a scenario: each peer's msg/s, rx-messaging's ratio to
 * each and to the fastest comparable one (a cast's only where the peer awaits its confirm, as
 * rx-messaging does; Moleculer's emit does not, so its cast ratio is marked and left out).
 */
export function formatPeers(comparisons: readonly PeerComparison[]): string {
  const ratio = (value: number | undefined, comparable = true) => (value === undefined ? '' : `${value.toFixed(2)}${comparable ? '' : ' *'}`);
  const figure = (c: PeerComparison, peer: Peer) => (c.peers[peer] !== undefined ? thousands(c.peers[peer]) : c.skipped[peer] !== undefined ? 'skipped' : '');
  const rows = comparisons.map((c) => [
    c.label,
    c.rx === undefined ? '' : thousands(c.rx),
    figure(c, 'nestjs'),
    figure(c, 'moleculer'),
    ratio(c.ratios.nestjs, c.comparable.includes('nestjs')),
    ratio(c.ratios.moleculer, c.comparable.includes('moleculer')),
    c.ratio === undefined ? '' : `${c.ratio.toFixed(2)} (${c.fastest})`,
    ratio(c.amqplibRatio),
  ]);
  const widths = PEER_HEADERS.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const notes = [
    ...(comparisons.some((c) => c.ratios.moleculer !== undefined && !c.comparable.includes('moleculer'))
      ? ["* Moleculer's emit awaits no publisher confirm: not comparable with a confirmed cast, shown for information"]
      : []),
    ...comparisons.flatMap((c) => Object.entries(c.skipped).map(([peer, why]) => `${c.label}: ${peer} skipped: ${brief(why)}`)),
  ];
  return [line(PEER_HEADERS), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), ...notes].join('\n');
}
