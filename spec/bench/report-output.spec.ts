import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { renderChart } from '../../bench/chart.js';
import type { Result } from '../../bench/result.js';
import { formatTable, label } from '../../bench/table.js';

const RESULTS: Result[] = [
  {
    scenario: 'rabbit-call-p5-100b',
    kind: 'call',
    broker: 'rabbit',
    concurrency: 5,
    size: 100,
    engine: 'rx',
    msg_per_s: 4500,
    cpu_us: 210,
    broker_cpu_us: 180,
    p50_ms: 1.1,
    p99_ms: 3.3,
    messages: 18000,
    errors: 0,
    lost: 0,
    ratio: 0.9,
    p99_ratio: 1.2,
  },
  {
    scenario: 'rabbit-call-p5-100b',
    kind: 'call',
    broker: 'rabbit',
    concurrency: 5,
    size: 100,
    engine: 'amqplib',
    msg_per_s: 5000,
    p50_ms: 0.9,
    p99_ms: 2.75,
    messages: 20000,
    errors: 0,
    lost: 0,
    ratio: 1,
    p99_ratio: 1,
  },
  { scenario: 'rabbit-call-p5-100b', kind: 'call', broker: 'rabbit', concurrency: 5, size: 100, engine: 'oslo', skipped: 'no oslo.messaging here. Install it' },
  {
    scenario: 'memory-call-p1-10000b',
    kind: 'call',
    broker: 'memory',
    concurrency: 1,
    size: 10_000,
    engine: 'rx',
    msg_per_s: 120_000,
    p50_ms: 0.008,
    p99_ms: 0.05,
    messages: 480_000,
    errors: 0,
    lost: 0,
  },
];

const Output = suite('bench table and chart');

Output('should name a scenario by broker, kind, concurrency and size', () => {
  assert.is(label(RESULTS[0]!), 'rabbit call p5 100 B');
  assert.is(label(RESULTS[3]!), 'memory call p1 10 kB');
});

Output('should print each figure with its ratio to the reference, and skipped rows with their reason', () => {
  const lines = formatTable(RESULTS).split('\n');
  assert.match(lines[0]!, /^scenario\s+engine\s+msg\/s\s+x ref\s+p50 ms\s+p99 ms\s+p99 x ref\s+cpu us\s+broker us\s+errors\s+lost$/);
  assert.match(lines[2]!, /^rabbit call p5 100 B\s+rx\s+4,500\s+0\.90\s+1\.100\s+3\.300\s+1\.20\s+210\s+180\s+0\s+0$/);
  assert.match(lines[4]!, /^rabbit call p5 100 B\s+oslo\s+skipped: no oslo\.messaging here\.$/);
  assert.match(lines[5]!, /^memory call p1 10 kB\s+rx\s+120,000\s+0\.008/);
});

Output('should draw a throughput bar and a p50 and a p99 bar per result that ran, and a legend of their engines', () => {
  const svg = renderChart(RESULTS, 'a <title>');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.is((svg.match(/msg\/s<\/title>/g) ?? []).length, 3);
  assert.is((svg.match(/: p50 [\d.]+ ms<\/title>/g) ?? []).length, 3);
  assert.is((svg.match(/: p99 [\d.]+ ms<\/title>/g) ?? []).length, 3);
  assert.ok(svg.includes('a &lt;title&gt;'));
  assert.ok(svg.includes('>rx-messaging<') && svg.includes('>plain amqplib<'));
  assert.not.ok(svg.includes('>Python oslo.messaging<'));
});

Output.run();
