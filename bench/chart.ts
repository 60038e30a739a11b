/**
 * The results as an SVG chart: throughput per scenario and engine, and p50/p99 latency, both on
 * log scales (oslo's hundreds and memory's hundred thousands share an axis). Plain SVG text, so
 * it needs no dependency and diffs in git.
 */
import type { Result } from './result.js';
import { ENGINES, type Engine } from './scenarios.js';
import { label } from './table.js';

const COLORS: Record<Engine, string> = {
  rx: '#d62f6f',
  'rx-msgpack': '#f08a24',
  amqplib: '#3a6fb0',
  'amqplib-confirm': '#8fb3de',
  'amqplib-oslo': '#7a5cb8',
  oslo: '#5a9e4b',
  zeromq: '#6b6b6b',
  'rx-zmq': '#a0226a',
  nestjs: '#e0234e',
  moleculer: '#2a9d8f',
};
const NAMES: Record<Engine, string> = {
  rx: 'rx-messaging',
  'rx-msgpack': 'rx-messaging, MessagePack',
  amqplib: 'plain amqplib',
  'amqplib-confirm': 'amqplib with confirms',
  'amqplib-oslo': "amqplib speaking oslo's wire format",
  oslo: 'Python oslo.messaging',
  zeromq: 'plain zeromq.js',
  'rx-zmq': 'rx-messaging on ZeroMQ',
  nestjs: 'NestJS microservices',
  moleculer: 'Moleculer',
};
const WIDTH = 1100;
const PANEL = 300;
const LEFT = 70;
const TOP = 86;
const GAP = 110;

export function renderChart(results: readonly Result[], title: string): string {
  const ran = results.filter((r) => r.skipped === undefined && r.msg_per_s !== undefined);
  const scenarios = [...new Set(ran.map((r) => r.scenario))];
  const engines = ENGINES.filter((e) => ran.some((r) => r.engine === e));
  const groupWidth = (WIDTH - LEFT - 20) / Math.max(1, scenarios.length);
  const barWidth = Math.min(26, (groupWidth - 8) / Math.max(1, engines.length));
  const parts: string[] = [];
  const text = (x: number, y: number, content: string, attrs = '') => parts.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`);

  const panel = (top: number, heading: string, values: number[], unit: string, bars: (r: Result, x: number, scale: (v: number) => number) => void) => {
    const positive = values.filter((v) => v > 0);
    const low = 10 ** Math.floor(Math.log10(Math.min(...positive)));
    const high = 10 ** Math.ceil(Math.log10(Math.max(...positive) * 1.2));
    const scale = (v: number) => top + PANEL - (PANEL * (Math.log10(Math.max(v, low)) - Math.log10(low))) / (Math.log10(high) - Math.log10(low));
    text(LEFT, top - 12, heading, 'font-weight="bold"');
    for (let decade = low; decade <= high; decade *= 10) {
      const y = scale(decade);
      parts.push(`<line x1="${LEFT}" x2="${WIDTH - 20}" y1="${y.toFixed(1)}" y2="${y.toFixed(1)}" stroke="#ddd"/>`);
      text(LEFT - 6, y + 4, `${short(decade)}${unit}`, 'text-anchor="end" fill="#555"');
    }
    scenarios.forEach((scenario, g) => {
      // The bars a scenario has, centred in its slot.
      const present = engines.flatMap((engine) => ran.filter((r) => r.scenario === scenario && r.engine === engine));
      const groupX = LEFT + g * groupWidth + (groupWidth - barWidth * present.length) / 2;
      present.forEach((result, e) => {
        bars(result, groupX + e * barWidth, scale);
      });
      const [broker, ...rest] = label(present[0]!).split(' ');
      const middle = LEFT + g * groupWidth + groupWidth / 2;
      text(middle, top + PANEL + 15, `${broker} ${rest[0]}`, 'text-anchor="middle" fill="#333"');
      text(middle, top + PANEL + 28, rest.slice(1).join(' '), 'text-anchor="middle" fill="#333"');
    });
  };

  panel(
    TOP,
    'Throughput (messages per second, log scale)',
    ran.map((r) => r.msg_per_s!),
    '',
    (r, x, scale) => {
      const y = scale(r.msg_per_s!);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(TOP + PANEL - y).toFixed(1)}" fill="${COLORS[r.engine]}"><title>${escapeXml(`${r.engine} ${label(r)}: ${r.msg_per_s} msg/s`)}</title></rect>`,
      );
      text(x + barWidth / 2 - 1, y - 3, short(r.msg_per_s!), 'text-anchor="middle" font-size="9" fill="#333"');
    },
  );
  const latencyTop = TOP + PANEL + GAP;
  panel(
    latencyTop,
    'Latency: p99 bar, p50 dark (ms, log scale; calls round trip, others one way)',
    ran.flatMap((r) => [r.p50_ms ?? 0, r.p99_ms ?? 0]),
    ' ms',
    (r, x, scale) => {
      const bottom = latencyTop + PANEL;
      const p99 = scale(r.p99_ms ?? 0);
      const p50 = scale(r.p50_ms ?? 0);
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${p99.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(bottom - p99).toFixed(1)}" fill="${COLORS[r.engine]}" fill-opacity="0.35"><title>${escapeXml(`${r.engine} ${label(r)}: p99 ${r.p99_ms} ms`)}</title></rect>`,
      );
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${p50.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(bottom - p50).toFixed(1)}" fill="${COLORS[r.engine]}"><title>${escapeXml(`${r.engine} ${label(r)}: p50 ${r.p50_ms} ms`)}</title></rect>`,
      );
    },
  );
  engines.forEach((engine, i) => {
    const x = LEFT + i * 190;
    parts.push(`<rect x="${x}" y="${TOP - 44}" width="12" height="12" fill="${COLORS[engine]}"/>`);
    text(x + 18, TOP - 34, NAMES[engine]);
  });
  const height = latencyTop + PANEL + 40;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    // The title's first line large, any further lines (the machine, the method) small below it.
    ...title.split('\n').map((line, i) => `<text x="${LEFT}" y="${16 + i * 16}" font-size="${i ? 11 : 14}"${i ? ' fill="#555"' : ' font-weight="bold"'}>${escapeXml(line)}</text>`),
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/** 12345 → "12.3k", 0.05 → "0.05". */
function short(value: number): string {
  if (value >= 1e6) return `${+(value / 1e6).toPrecision(3)}M`;
  if (value >= 1e3) return `${+(value / 1e3).toPrecision(3)}k`;
  return `${+value.toPrecision(3)}`;
}

function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
