/**
 * A scenario as command lines: the server's and the client's simulator arguments. Every engine
 * takes the same ones (rxm simulator, the amqplib harness, the oslo harness), so what differs
 * between two rows of the table is the messaging code and nothing else.
 */
import { fileURLToPath } from 'node:url';
import { runRole, type RoleRunner } from '../tools/simulator/index.js';
import { osloWireWithout as osloWire } from './amqplib/oslo-wire.js';
import { rawRoles } from './amqplib/roles.js';
import { moleculerRoles } from './moleculer/roles.js';
import { nestRoles } from './nestjs/roles.js';
import type { Engine, Scenario } from './scenarios.js';

export interface RunSettings {
  /** The RabbitMQ URL (rabbit:// scenarios). */
  readonly url: string;
  /** rx-messaging's ZeroMQ transport URL (zmq scenarios of `rx-zmq`), default `ZMQ_URL`. */
  readonly zmqUrl?: string;
  /** Seconds each client sends. */
  readonly seconds: number;
  /** Seconds a Node engine's caller calls before measuring (calls only; Python has no JIT to warm). */
  readonly warmup?: number;
  /** Where the reports go. */
  readonly dir: string;
}

export interface Plan {
  readonly topic: string;
  readonly server: readonly string[];
  readonly client: readonly string[];
  readonly serverReport: string;
  readonly clientReport: string;
}

/** The RPC server's name in every scenario. */
export const SERVER = 'bench_server';

/** A call waits this long: under load a Python server answers in hundreds of ms, never seconds. */
const CALL_TIMEOUT_SECONDS = 30;

/** The query that selects MessagePack on rx-messaging's RabbitMQ driver. */
export const MSGPACK_QUERY = 'codec=msgpack';

/** rx-messaging's ZeroMQ transport: servers on loopback, found through the Redis matchmaker on 6379. */
export const ZMQ_URL = 'zmq+redis://127.0.0.1:6379/';

/** The plain zeromq.js harness binds on loopback; the ports are the system's, passed in the endpoints file. */
const ZEROMQ_HARNESS_URL = 'tcp://127.0.0.1';

export function plan(scenario: Scenario, engine: Engine, settings: RunSettings): Plan {
  const topic = `bench_${engine.replace('-', '_')}_${scenario.kind}`;
  const serverReport = `${settings.dir}/${scenario.id}.${engine}.server.json`;
  const clientReport = `${settings.dir}/${scenario.id}.${engine}.client.json`;
  const rpc = scenario.kind !== 'notify';
  const common = [
    '--url',
    scenarioUrl(scenario, engine, settings),
    '--topic',
    topic,
    ...(engine === 'zeromq' ? ['--endpoints', `${settings.dir}/${scenario.id}.${engine}.endpoints.json`] : []),
  ];
  const server = [rpc ? 'rpc-server' : 'notify-server', ...common, ...(rpc ? ['--server', SERVER] : []), '--clients', '1', '--json', serverReport];
  const client = [
    rpc ? 'rpc-client' : 'notify-client',
    ...common,
    ...(rpc ? ['--server', SERVER, '--mode', scenario.kind, '--timeout', String(CALL_TIMEOUT_SECONDS)] : []),
    ...(scenario.kind === 'fanout' ? ['--sync-mode', 'fanout'] : []),
    ...(scenario.kind === 'call' && engine !== 'oslo' && settings.warmup ? ['--warmup', String(settings.warmup)] : []),
    '--concurrency',
    String(scenario.concurrency),
    '--duration',
    String(settings.seconds),
    '--size',
    String(scenario.size),
    '--sync',
    '--json',
    clientReport,
  ];
  return { topic, server, client, serverReport, clientReport };
}

function scenarioUrl(scenario: Scenario, engine: Engine, settings: RunSettings): string {
  if (scenario.broker === 'memory') return `memory://bench-${scenario.id}`;
  if (engine === 'zeromq') return ZEROMQ_HARNESS_URL;
  if (scenario.broker === 'zmq') return settings.zmqUrl ?? ZMQ_URL;
  return engine === 'rx-msgpack' ? withQuery(settings.url, MSGPACK_QUERY) : settings.url;
}

/** The program and leading arguments that run an engine's role as a process. */
/** `osloWireWithout`: the parts of oslo's wire format `amqplib-oslo` leaves out (see amqplib/oslo-wire.ts). */
export function command(engine: Engine, osloWireWithout?: string): { readonly file: string; readonly args: readonly string[] } {
  switch (engine) {
    case 'rx':
    case 'rx-msgpack':
    case 'rx-zmq':
      return { file: process.execPath, args: [fromRoot('dist/bin/rxm.js'), 'simulator'] };
    case 'zeromq':
      return { file: process.execPath, args: [fromRoot('dist/bench/zeromq/harness.js')] };
    case 'amqplib':
      return { file: process.execPath, args: [fromRoot('dist/bench/amqplib/harness.js')] };
    case 'amqplib-confirm':
      return { file: process.execPath, args: [fromRoot('dist/bench/amqplib/harness.js'), '--confirm'] };
    case 'amqplib-oslo':
      return { file: process.execPath, args: [fromRoot('dist/bench/amqplib/harness.js'), ...(osloWireWithout ? ['--oslo-wire-without', osloWireWithout] : ['--oslo-wire'])] };
    case 'oslo':
      // Debian's python3-oslo.messaging lives with the system Python, not a pyenv one on PATH.
      return { file: '/usr/bin/python3', args: [fromRoot('bench/oslo/harness.py')] };
    case 'nestjs':
      return { file: process.execPath, args: [fromRoot('dist/bench/nestjs/harness.js')] };
    case 'moleculer':
      return { file: process.execPath, args: [fromRoot('dist/bench/moleculer/harness.js')] };
  }
}

/**
 * The roles of a Node engine, to run in this process; undefined for the Python one, and for the
 * ZeroMQ engines, whose server and client are always two processes: peers that share no broker.
 */
export function roles(engine: Engine, osloWireWithout?: string): RoleRunner | undefined {
  switch (engine) {
    case 'rx':
    case 'rx-msgpack':
      return runRole;
    case 'amqplib':
      return rawRoles({ confirm: false });
    case 'amqplib-confirm':
      return rawRoles({ confirm: true });
    case 'amqplib-oslo':
      return rawRoles({ confirm: false, oslo: osloWire(osloWireWithout) });
    case 'nestjs':
      return nestRoles();
    case 'moleculer':
      return moleculerRoles();
    case 'oslo':
    case 'zeromq':
    case 'rx-zmq':
      return undefined;
  }
}

/** A path in the repository; this file runs as dist/bench/plan.js. */
export function fromRoot(path: string): string {
  return fileURLToPath(new URL(`../../${path}`, import.meta.url));
}

function withQuery(url: string, query: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${query}`;
}
