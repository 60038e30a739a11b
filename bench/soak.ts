/**
 * `npm run bench:soak`: a million calls, then a million notifications, through one client and
 * one server (one notifier, one listener), sampling RSS, heap, live timers and reply
 * subscriptions every 50,000 messages. Passes when the peak RSS (and the heap) after the first
 * 100,000 calls stays within 10 % of what it was up to them, and timers and reply subscriptions
 * never exceed the calls in flight and end where they started.
 *
 *   npm run bench:soak                                    # memory://, 1,000,000 each
 *   npm run bench:soak -- --url rabbit://guest:guest@127.0.0.1:5672/ --calls 200000
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UsageError } from '../tools/simulator/options.js';
import { microtaskExecutor } from '../lib/executors/executor.js';
import { NotificationResult } from '../operators/notify/dispatch-notifications.js';
import { notificationListener } from '../lib/notify/listener.js';
import { notifier } from '../lib/notify/notifier.js';
import { rpcClient } from '../lib/rpc/client.js';
import { rpcServer } from '../lib/rpc/server.js';
import { target } from '../lib/core/target.js';
import { connect } from '../lib/transport.js';
import { runCommand } from './cli.js';
import { fromRoot } from './plan.js';
import { attachProbes, type Sample } from './soak-probes.js';

export interface SoakOptions {
  readonly url: string;
  readonly calls: number;
  readonly notifications: number;
  readonly concurrency: number;
  /** Sample every this many messages. */
  readonly every: number;
  readonly onSample?: (sample: Sample) => void;
}

export interface SoakVerdict {
  readonly check: string;
  readonly met: boolean;
  readonly measured: string;
}

/** Notifications published and not yet handled, at most: the soak measures leaks, not a backlog. */
const WINDOW = 1000;
/** The baseline is taken once the first 100,000 calls warmed everything up. */
const WARM_CALLS = 100_000;

export async function runSoak(options: SoakOptions): Promise<{ samples: Sample[]; verdicts: SoakVerdict[] }> {
  const serverTransport = await connect(options.url);
  const clientTransport = await connect(options.url);
  const probes = await attachProbes(clientTransport);
  const samples: Sample[] = [];
  const sample = (phase: Sample['phase'], done: number) => {
    const taken = probes.sample(phase, done);
    samples.push(taken);
    options.onSample?.(taken);
  };
  try {
    const rpc = { topic: 'soak', server: 'soak-server' };
    const server = rpcServer(serverTransport, target(rpc), [{ echo: ({ n }: { n: number }) => n }], { executor: microtaskExecutor({ concurrency: 64 }) });
    await server.start();
    const client = rpcClient(clientTransport, target(rpc), { timeout: 30_000 });
    sample('calls', 0);
    let started = 0;
    let done = 0;
    const caller = async () => {
      while (started < options.calls) {
        await client.call('echo', { n: started++ });
        if (++done % options.every === 0) sample('calls', done);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, caller));
    await server.stop();
    sample('calls', done);

    let handled = 0;
    let caughtUp: (() => void) | undefined;
    const listener = notificationListener(
      serverTransport,
      [target({ topic: 'soak_notifications' })],
      [
        {
          info: () => {
            handled++;
            caughtUp?.();
            if (handled % options.every === 0) sample('notifications', handled);
            return NotificationResult.HANDLED;
          },
        },
      ],
    );
    await listener.start();
    const publisher = notifier(clientTransport, { publisherId: 'soak', topics: ['soak_notifications'], raiseOnError: true });
    for (let sent = 0; sent < options.notifications; sent++) {
      while (sent - handled >= WINDOW) await new Promise<void>((resolve) => (caughtUp = resolve));
      await publisher.info('soak.event', { n: sent });
    }
    while (handled < options.notifications) await new Promise<void>((resolve) => (caughtUp = resolve));
    await listener.stop();
    sample('notifications', handled);
  } finally {
    await clientTransport.close();
    await serverTransport.close();
  }
  return { samples, verdicts: judge(samples, options) };
}

function judge(samples: readonly Sample[], options: SoakOptions): SoakVerdict[] {
  const first = samples[0]!;
  const last = samples.at(-1)!;
  // RSS swings with the young generation; a leak shows as a rising peak, so peaks are compared.
  const warmIndex = samples.findIndex((s) => s.phase === 'calls' && s.done >= Math.min(WARM_CALLS, options.calls));
  const warm = samples.slice(0, warmIndex + 1);
  const after = samples.slice(warmIndex + 1);
  const warmPeak = Math.max(...warm.map((s) => s.rss_mb));
  const laterPeak = Math.max(...after.map((s) => s.rss_mb), 0);
  const growth = (laterPeak - warmPeak) / warmPeak;
  const warmHeap = warm.at(-1)!.heap_mb;
  const heapPeak = Math.max(...after.map((s) => s.heap_mb), 0);
  const peakSubscriptions = Math.max(...samples.map((s) => s.reply_subscriptions));
  const peakTimers = Math.max(...samples.map((s) => s.timers));
  // Connections open lazily with their heartbeat timers: the idle level is the one once the calls are done.
  const idleTimers = [...samples].reverse().find((s) => s.phase === 'calls')!.timers;
  const warmCalls = warm.at(-1)!.done.toLocaleString('en-US');
  return [
    {
      check: `peak RSS after the first ${warmCalls} calls grows < 10 %`,
      met: growth < 0.1,
      measured: `${warmPeak} MB up to ${warmCalls} calls, ${laterPeak} MB at most after (${(growth * 100).toFixed(1)} %), ${last.rss_mb} MB at the end`,
    },
    { check: `heap after the first ${warmCalls} calls grows < 10 %`, met: heapPeak < warmHeap * 1.1, measured: `${warmHeap} MB, at most ${heapPeak} MB after` },
    {
      check: `reply subscriptions stay <= ${options.concurrency} (calls in flight) and end at 0`,
      met: peakSubscriptions <= options.concurrency && last.reply_subscriptions === 0,
      measured: `peak ${peakSubscriptions}, end ${last.reply_subscriptions}`,
    },
    {
      check: `live timers stay <= the idle level + ${options.concurrency} (call timeouts in flight) and end at it`,
      met: last.timers <= idleTimers && peakTimers <= idleTimers + options.concurrency,
      measured: `start ${first.timers}, idle after the calls ${idleTimers}, peak ${peakTimers}, end ${last.timers}`,
    },
  ];
}

export const SOAK_USAGE = `Usage: npm run bench:soak -- [options]

Calls, then notifications, through one client and one server, sampling RSS, heap, timers and
reply subscriptions every 50,000 messages; exits 1 when a check is missed (see bench/README.md).

  --url URL            the transport (default memory://soak)
  --calls N            calls to make (default 1,000,000)
  --notifications N    notifications to send (default 1,000,000)
  --concurrency N      calls in flight (default 10)
  --out DIR            where soak-latest.json goes (default bench/results)
  -h, --help           this text
`;

/** The options of `npm run bench:soak` and where the report goes; a bad one is a `UsageError`. */
export function parseSoakArgs(argv: readonly string[]): { readonly options: SoakOptions; readonly out: string } {
  const { values } = parseArgs({
    args: [...argv],
    options: { url: { type: 'string' }, calls: { type: 'string' }, notifications: { type: 'string' }, concurrency: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  const count = (text: string | undefined, fallback: number, name: string) => {
    const value = text === undefined ? fallback : Number(text);
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a positive integer, got ${text}`);
    return value;
  };
  const options: SoakOptions = {
    url: values.url ?? 'memory://soak',
    calls: count(values.calls, 1_000_000, 'calls'),
    notifications: count(values.notifications, 1_000_000, 'notifications'),
    concurrency: count(values.concurrency, 10, 'concurrency'),
    every: 50_000,
    onSample: (s) =>
      process.stdout.write(
        `${s.phase.padEnd(13)} ${String(s.done).padStart(9)}  rss ${s.rss_mb} MB  heap ${s.heap_mb} MB  timers ${s.timers}  reply subscriptions ${s.reply_subscriptions}\n`,
      ),
  };
  return { options, out: values.out ?? fromRoot('bench/results') };
}

async function main({ options, out }: ReturnType<typeof parseSoakArgs>): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) process.stdout.write('(run with node --expose-gc for heap figures after collection)\n');
  const started = performance.now();
  const { samples, verdicts } = await runSoak(options);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `\n${options.calls.toLocaleString('en-US')} calls and ${options.notifications.toLocaleString('en-US')} notifications on ${options.url} in ${seconds.toFixed(0)} s\n`,
  );
  for (const v of verdicts) process.stdout.write(`${v.met ? 'MET ' : 'MISS'}  ${v.check}: ${v.measured}\n`);
  await mkdir(out, { recursive: true });
  const file = join(out, 'soak-latest.json');
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, ...options, onSample: undefined, seconds, samples, verdicts }, null, 2)}\n`);
  process.stdout.write(`Wrote ${file}\n`);
  if (verdicts.some((v) => !v.met)) process.exitCode = 1;
}

if (process.argv[1] === new URL(import.meta.url).pathname) await runCommand('npm run bench:soak', SOAK_USAGE, parseSoakArgs, main);
