/**
 * `npm run bench`: every scenario, every engine that can run it, back to back on one broker;
 * prints the table (figures and ratios to plain amqplib, and to NestJS and Moleculer), checks the targets, writes the JSON
 * and the SVG chart to bench/results/.
 *
 *   npm run bench                     # the full run, a few minutes
 *   npm run bench -- --quick          # memory:// only, short: a smoke test of the runner
 *   npm run bench -- --only call --seconds 8 --engines rx,amqplib
 *   npm run bench -- --split          # Node servers and clients in processes of their own
 *   npm run bench -- --repeat 3       # the fastest of 3 runs per figure (default 2)
 *   npm run bench -- --only 'rabbit-call' --engines amqplib,amqplib-oslo --oslo-wire-without confirms
 *
 * By default the Node engines run server and client in one process (a fresh one per run), as
 * peers.md §3 and the issue's figures were measured; Python oslo.messaging always runs them as two processes, the
 * way its simulator does (one interpreter would serialize both on its GIL).
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseTransportUrl } from '../lib/core/url.js';
import { UsageError } from '../tools/simulator/options.js';
import { OSLO_WIRE_PARTS, osloWireWithout } from './amqplib/oslo-wire.js';
import { renderChart } from './chart.js';
import { runCommand } from './cli.js';
import { createCpuClock, listeningProcess } from './cpu-time.js';
import { formatCodecTable, runCodecBench, type CodecResult } from './codec.js';
import { command, fromRoot, plan, roles, ZMQ_URL } from './plan.js';
import { runEngineProcess, runProcesses } from './processes.js';
import { fastest, measured, skipped, withRatios, type Result } from './result.js';
import { type Engine, ENGINES, REFERENCE, type Scenario, SCENARIOS } from './scenarios.js';
import { checkServices, checkZmqServices, deleteQueues, type Services } from './services.js';
import { comparePeers, type PeerComparison } from './peers.js';
import { formatPeers, formatTable, label } from './table.js';
import { checkPeerTargets, checkProtocolTargets, checkTargets, checkZmqTargets, formatTargets } from './targets.js';

export interface BenchOptions {
  readonly quick: boolean;
  /** Runs of each engine per scenario, engines taking turns; the fastest is kept. */
  readonly repeat: number;
  /** Node engines' servers and clients in processes of their own. */
  readonly split?: boolean;
  readonly seconds: number;
  /** Seconds of calls before each Node engine's call run is measured. */
  readonly warmup: number;
  readonly only?: RegExp;
  readonly engines?: readonly Engine[];
  readonly url: string;
  /** rx-messaging's ZeroMQ transport URL for the `rx-zmq` rows (default zmq+redis://127.0.0.1:6379/). */
  readonly zmqUrl?: string;
  readonly out: string;
  /** Parts of oslo's wire format the `amqplib-oslo` engine leaves out, comma-separated. */
  readonly osloWireWithout?: string;
}

export interface BenchRun {
  readonly date: string;
  readonly machine: Readonly<Record<string, string | number>>;
  /** How Node engines ran on RabbitMQ: server and client in one process, or split. */
  readonly processes: 'one' | 'split';
  readonly seconds: number;
  /** Seconds of calls before each Node engine's call run was measured. */
  readonly warmup: number;
  /** Runs per engine and scenario: each figure is the fastest run's. */
  readonly repeat: number;
  readonly results: readonly Result[];
  readonly targets: ReturnType<typeof checkTargets>;
  /** rx-messaging against NestJS and Moleculer, per scenario they ran. */
  readonly peers: readonly PeerComparison[];
  /** JSON against MessagePack on the CPU alone. */
  readonly codec: readonly CodecResult[];
}

export async function runBench(options: BenchOptions, log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<BenchRun> {
  const scenarios = SCENARIOS.filter((s) => (!options.quick || s.broker === 'memory') && (!options.only || options.only.test(s.id)));
  const needsRabbit = scenarios.some((s) => s.broker === 'rabbit');
  const none: Services = { unavailable: {}, versions: {} };
  const services: Services = needsRabbit ? await checkServices(options.url) : none;
  const zmqServices: Services = scenarios.some((s) => s.broker === 'zmq') ? await checkZmqServices(options.zmqUrl ?? ZMQ_URL) : none;
  const brokerPid = needsRabbit ? await localBroker(options.url) : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'rxm-bench-'));
  const results: Result[] = [];
  const once = async (scenario: Scenario, engine: Engine): Promise<Result> => {
    const steps = plan(scenario, engine, { url: options.url, seconds: options.seconds, warmup: options.warmup, dir, ...(options.zmqUrl && { zmqUrl: options.zmqUrl }) });
    // Server and client in one process (fresh for each run): memory://'s broker lives in it; on RabbitMQ, unless --split.
    const together = (scenario.broker === 'memory' || !options.split) && roles(engine, options.osloWireWithout) !== undefined;
    if (scenario.broker === 'rabbit') await deleteQueues(options.url, steps.topic);
    const { file, args } = command(engine, options.osloWireWithout);
    const clock = createCpuClock(scenario.broker === 'rabbit' ? brokerPid : undefined);
    const reports = together
      ? await runEngineProcess(
          {
            file: process.execPath,
            args: [fromRoot('dist/bench/engine-process.js'), JSON.stringify({ engine, osloWireWithout: options.osloWireWithout, server: steps.server, client: steps.client })],
          },
          { server: steps.serverReport, client: steps.clientReport },
          (options.seconds + options.warmup) * 1000 + 180_000,
          (pids) => clock.start(pids),
        )
      : await runProcesses(
          { file, args: [...args, ...steps.server] },
          { file, args: [...args, ...steps.client] },
          { server: steps.serverReport, client: steps.clientReport },
          {
            readyMs: 30_000,
            clientMs: (options.seconds + options.warmup) * 1000 + 60_000,
            drainMs: 120_000,
          },
          (pids) => clock.start(pids),
        );
    const spent = await clock.read();
    if (scenario.broker === 'rabbit') await deleteQueues(options.url, steps.topic);
    return measured(scenario, engine, reports, spent);
  };
  try {
    for (const scenario of scenarios) {
      const engines = scenario.engines.filter((e) => !options.engines || options.engines.includes(e));
      const runs = new Map<Engine, Result[]>(engines.map((engine) => [engine, []]));
      const why = new Map<Engine, string>();
      for (const engine of engines) {
        const reason = scenario.broker === 'rabbit' ? services.unavailable[engine] : scenario.broker === 'zmq' ? zmqServices.unavailable[engine] : undefined;
        if (reason) why.set(engine, reason);
      }
      // Rounds go through every engine in turn, so a burst of load elsewhere on the machine hits all of them alike.
      for (let round = 0; round < options.repeat; round++) {
        for (const engine of engines.filter((e) => !why.has(e))) {
          try {
            const result = await once(scenario, engine);
            runs.get(engine)!.push(result);
            log(
              `${label(result).padEnd(24)} ${engine.padEnd(15)} ${String(result.msg_per_s).padStart(8)} msg/s  p50 ${result.p50_ms} ms  p99 ${result.p99_ms} ms${result.errors ? `  ${result.errors} errors` : ''}${result.lost ? `  ${result.lost} lost` : ''}`,
            );
          } catch (error) {
            const reason = (error as Error).message;
            why.set(engine, `failed: ${reason.split('\n')[0]}`);
            log(`${label(scenario).padEnd(24)} ${engine.padEnd(15)} failed: ${reason}`);
          }
        }
      }
      for (const engine of engines) results.push(why.has(engine) ? skipped(scenario, engine, why.get(engine)!) : fastest(runs.get(engine)!));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const rated = withRatios(results, (broker) => REFERENCE[broker]);
  const codec = runCodecBench(options.quick ? 100 : 1000);
  const cpu = cpus()[0];
  return {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpu?.model ?? 'unknown',
      memory_gb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      ...services.versions,
      ...zmqServices.versions,
    },
    processes: options.split ? 'split' : 'one',
    seconds: options.seconds,
    warmup: options.warmup,
    repeat: options.repeat,
    results: rated,
    targets: [...checkTargets(rated), ...checkZmqTargets(rated), ...checkPeerTargets(rated), ...checkProtocolTargets(rated)],
    peers: comparePeers(rated),
    codec,
  };
}

/** The process of the broker on this machine that `url` names, to count its CPU; undefined for a remote one. */
async function localBroker(url: string): Promise<number | undefined> {
  const host = parseTransportUrl(url).hosts[0];
  if (!host || !['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host.hostname)) return undefined;
  return listeningProcess(host.port ?? 5672);
}

export const BENCH_USAGE = `Usage: npm run bench -- [options]

Runs every scenario with every engine side by side on one broker; prints the table, the targets
and writes bench/results/latest.{json,svg} (see bench/README.md).

  --quick                    memory:// only, 0.5 s runs: a smoke test
  --only REGEXP              scenarios whose id matches, e.g. 'rabbit-call-p(5|50)'
  --engines LIST             comma-separated: ${ENGINES.join(', ')}
  --seconds N                seconds each client sends (default 3)
  --warmup N                 seconds a Node engine calls before a call run is measured (default 3; 0 in --quick)
  --repeat N                 runs per engine and scenario, the fastest kept (default 2)
  --split                    Node servers and clients in processes of their own
  --url URL                  the broker (default $RXM_BENCH_URL or rabbit://guest:guest@127.0.0.1:5672/)
  --zmq-url URL              rx-messaging's ZeroMQ transport for the rx-zmq rows (default $RXM_BENCH_ZMQ_URL or ${ZMQ_URL})
  --out DIR                  where the results go (default bench/results)
  --oslo-wire-without PARTS  what the amqplib-oslo engine leaves out: ${Object.keys(OSLO_WIRE_PARTS).join(', ')}
  -h, --help                 this text
`;

/** The options of `npm run bench`; anything unknown or malformed is a `UsageError` naming it. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      split: { type: 'boolean' },
      repeat: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      engines: { type: 'string' },
      url: { type: 'string' },
      'zmq-url': { type: 'string' },
      out: { type: 'string' },
      'oslo-wire-without': { type: 'string' },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const seconds = Number(values.seconds ?? (quick ? 0.5 : 3));
  if (!(seconds > 0)) throw new UsageError(`--seconds must be a positive number, got ${values.seconds}`);
  const warmup = Number(values.warmup ?? (quick ? 0 : 3));
  if (!(warmup >= 0)) throw new UsageError(`--warmup must be a number of seconds, 0 or more, got ${values.warmup}`);
  const repeat = Number(values.repeat ?? (quick ? 1 : 2));
  if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError(`--repeat must be a positive integer, got ${values.repeat}`);
  const engines = values.engines?.split(',') as Engine[] | undefined;
  const unknown = engines?.find((e) => !ENGINES.includes(e));
  if (unknown) throw new UsageError(`unknown engine '${unknown}': use ${ENGINES.join(', ')}`);
  // Checked here, so a misspelt part fails before any run.
  if (values['oslo-wire-without'] !== undefined) {
    try {
      osloWireWithout(values['oslo-wire-without']);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  let only: RegExp | undefined;
  try {
    only = values.only === undefined ? undefined : new RegExp(values.only);
  } catch (error) {
    throw new UsageError(`--only is not a regular expression: ${(error as Error).message}`);
  }
  return {
    quick,
    split: values.split === true,
    repeat,
    seconds,
    warmup,
    url: values.url ?? process.env['RXM_BENCH_URL'] ?? 'rabbit://guest:guest@127.0.0.1:5672/',
    out: values.out ?? fromRoot('bench/results'),
    ...((values['zmq-url'] ?? process.env['RXM_BENCH_ZMQ_URL']) !== undefined && { zmqUrl: values['zmq-url'] ?? process.env['RXM_BENCH_ZMQ_URL']! }),
    ...(only && { only }),
    ...(engines && { engines }),
    ...(values['oslo-wire-without'] !== undefined && { osloWireWithout: values['oslo-wire-without'] }),
  };
}

/** Two lines: what and when, then the machine and the method. */
export function chartTitle(run: BenchRun): string {
  const { machine } = run;
  const method = `Node server and client in ${run.processes === 'one' ? 'one process' : 'two processes'}, ${run.seconds} s per run${run.warmup ? ` after ${run.warmup} s of warm-up calls` : ''}${run.repeat > 1 ? `, fastest of ${run.repeat} runs` : ''}`;
  return `rx-messaging bench, ${run.date.slice(0, 16).replace('T', ' ')} UTC\n${machine['cpus']} x ${machine['cpu']}, Node ${machine['node']}${machine['broker'] ? `, ${machine['broker']}` : ''}${machine['oslo.messaging'] ? `, oslo.messaging ${machine['oslo.messaging']}` : ''}; ${method}`;
}

async function main(options: BenchOptions): Promise<void> {
  const run = await runBench(options);
  const title = chartTitle(run);
  const peers = run.peers.length ? `\n\nPeers, msg/s and rx-messaging's ratios:\n${formatPeers(run.peers)}` : '';
  process.stdout.write(
    `\n${title}\n\n${formatTable(run.results)}${peers}\n\nCodec, CPU only (encode and decode of one call's request and reply):\n${formatCodecTable(run.codec)}\n\nTargets:\n${formatTargets(run.targets)}\n`,
  );
  await mkdir(options.out, { recursive: true });
  const stamp = run.date.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(run, null, 2)}\n`;
  const svg = renderChart(run.results, title);
  await Promise.all([
    writeFile(join(options.out, `bench-${stamp}.json`), json),
    writeFile(join(options.out, 'latest.json'), json),
    writeFile(join(options.out, 'latest.svg'), svg),
  ]);
  process.stdout.write(`\nWrote ${join(options.out, 'latest.json')} and latest.svg\n`);
}

if (process.argv[1] === new URL(import.meta.url).pathname) await runCommand('npm run bench', BENCH_USAGE, parseBenchArgs, main);
