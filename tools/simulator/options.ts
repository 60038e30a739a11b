/**
 * The simulator's command line, after oslo's tools/simulator.py: a role (`rpc-server`,
 * `rpc-client`, `notify-server`, `notify-client`) and its options, parsed into typed values.
 * Anything unknown or malformed is a `UsageError` naming the option.
 */
import { parseArgs } from 'node:util';
import { MessagingError } from '../../lib/index.js';

type Role = 'rpc-server' | 'rpc-client' | 'notify-server' | 'notify-client';
const ROLES: readonly Role[] = ['rpc-server', 'rpc-client', 'notify-server', 'notify-client'];
type RpcMode = 'call' | 'cast' | 'fanout';

interface CommonOptions {
  readonly url: string;
  readonly topic: string;
  /** Where the JSON report goes, if anywhere. */
  readonly json?: string;
  readonly debug: boolean;
}

interface ServerOptions extends CommonOptions {
  /** Seconds each handler waits before answering (oslo's `-w`); 0 answers at once. */
  readonly waitSeconds: number;
  /** Handlers in flight at most (the executor's concurrency). */
  readonly executorSize: number;
  /** Stop once this many clients sent `sync_done` (0: run until interrupted). */
  readonly clients: number;
}

/** @internal */
export interface RpcServerOptions extends ServerOptions {
  readonly role: 'rpc-server';
  readonly server: string;
}

/** @internal */
export interface NotifyServerOptions extends ServerOptions {
  readonly role: 'notify-server';
  /** Requeue every message once, as oslo's `--requeue`. */
  readonly requeue: boolean;
  readonly pool?: string;
}

interface ClientOptions extends CommonOptions {
  /** Concurrent callers (oslo's `-p`). */
  readonly concurrency: number;
  /** Messages per caller (oslo's `-m`); undefined with only a duration. */
  readonly messages?: number;
  /** Seconds to run (oslo's `-l`). */
  readonly duration?: number;
  /** Pause between a caller's messages, in seconds (oslo's `-w`). */
  readonly waitSeconds: number;
  /** Characters of cargo per message. */
  readonly size: number;
  /** Send `sync_done` when finished, so servers with `--clients` stop. */
  readonly sync: boolean;
  /** Seconds of calls made before measuring and left out of the figures. */
  readonly warmup?: number;
}

/** @internal */
export interface RpcClientOptions extends ClientOptions {
  readonly role: 'rpc-client';
  /** Server to address; undefined sends to the topic's shared queue. */
  readonly server?: string;
  readonly mode: RpcMode;
  /** Seconds a call waits for its reply. */
  readonly timeout: number;
  /** How the `sync_done` travels: a call, or a fanout cast reaching every server. */
  readonly syncMode: 'call' | 'fanout';
}

/** @internal */
export interface NotifyClientOptions extends ClientOptions {
  readonly role: 'notify-client';
}

/** @internal */
export type SimulatorOptions = RpcServerOptions | RpcClientOptions | NotifyServerOptions | NotifyClientOptions;

/** A command line the simulator cannot run; the CLI prints it with the usage. The CLI's own, so not among the package's errors. @internal */
export class UsageError extends MessagingError {}

/** @internal */
export const DEFAULT_URL = 'rabbit://guest:guest@127.0.0.1:5672/';

/** @internal */
export const USAGE = `Usage: rxm simulator <role> [options]

Roles (after oslo.messaging's tools/simulator.py):
  rpc-server      serve 'info' calls and casts on --topic/--server until interrupted or synced
  rpc-client      send 'info' calls, casts or fanout casts with -p concurrent callers
  notify-server   listen to 'compute.start' notifications on --topic
  notify-client   publish 'compute.start' notifications with -p concurrent publishers

Common options:
  --url URL             transport URL (default $RXM_URL or ${DEFAULT_URL})
  --topic NAME          topic (default profiler_topic)
  --json FILE           write the per-second series and the summary as JSON
  -d, --debug           log everything rx-messaging logs

rpc-server / notify-server:
  --server NAME         the server's name (default profiler_server)
  -w, --wait SECONDS    wait before answering each message (default 0)
  --executor-size N     handlers in flight at most (default 64)
  --clients N           stop after N clients sent sync_done, and every client that sent
                        sync_start did (default 1; 0 never)
  --requeue             notify-server: requeue every message once
  --pool NAME           notify-server: listen in this pool

rpc-client / notify-client:
  -p, --concurrency N   concurrent callers (default 1)
  -m, --messages N      messages per caller (default 1 unless -l is given)
  -l, --duration SEC    run for this many seconds
  -w, --wait SECONDS    pause between a caller's messages (default 0)
  --size N              characters of cargo per message (default 100)
  --sync                send sync_start first and sync_done when finished, as oslo's
                        simulator does (its rpc-server, and ours with --clients, then stop)
  rpc-client only:
  --server NAME         address this server (default profiler_server; '' for the shared topic queue)
  --mode MODE           call (default), cast or fanout; also --is-cast, --is-fanout
  --timeout SECONDS     how long a call waits for its reply (default 3)
  --sync-mode MODE      sync_done as a call (default) or a fanout cast
  --warmup SEC          call for this many seconds first, measuring nothing: the figures
                        then show a warmed-up process (calls only: a server counts every cast)
`;

const OPTIONS = {
  url: { type: 'string' },
  topic: { type: 'string' },
  server: { type: 'string' },
  json: { type: 'string' },
  debug: { type: 'boolean', short: 'd' },
  wait: { type: 'string', short: 'w' },
  'executor-size': { type: 'string' },
  clients: { type: 'string' },
  requeue: { type: 'boolean' },
  pool: { type: 'string' },
  concurrency: { type: 'string', short: 'p' },
  messages: { type: 'string', short: 'm' },
  duration: { type: 'string', short: 'l' },
  size: { type: 'string' },
  sync: { type: 'boolean' },
  mode: { type: 'string' },
  'is-cast': { type: 'boolean' },
  'is-fanout': { type: 'boolean' },
  timeout: { type: 'string' },
  'sync-mode': { type: 'string' },
  warmup: { type: 'string' },
} as const;

type Option = keyof typeof OPTIONS;

const ALLOWED: Record<Role, readonly Option[]> = {
  'rpc-server': ['server', 'wait', 'executor-size', 'clients'],
  'notify-server': ['wait', 'executor-size', 'clients', 'requeue', 'pool'],
  'rpc-client': ['server', 'concurrency', 'messages', 'duration', 'wait', 'size', 'sync', 'mode', 'is-cast', 'is-fanout', 'timeout', 'sync-mode', 'warmup'],
  'notify-client': ['concurrency', 'messages', 'duration', 'wait', 'size', 'sync'],
};

/** Whether the command line asks for the usage: `--help` or `-h` alone, or after a role. @internal */
export function wantsHelp(argv: readonly string[]): boolean {
  const [first, ...rest] = argv;
  const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';
  return isHelp(first) || ((ROLES as readonly (string | undefined)[]).includes(first) && rest.some(isHelp));
}

/** @internal */
export function parseSimulatorArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): SimulatorOptions {
  const [given, ...rest] = argv;
  if (given === undefined) throw new UsageError('a role is needed: rpc-server, rpc-client, notify-server or notify-client');
  if (!(ROLES as readonly string[]).includes(given)) throw new UsageError(`unknown role '${given}': use rpc-server, rpc-client, notify-server or notify-client`);
  const role = given as Role;
  let values: Partial<Record<Option, string | boolean>>;
  try {
    ({ values } = parseArgs({ args: [...rest], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const common: readonly Option[] = ['url', 'topic', 'json', 'debug'];
  const misplaced = (Object.keys(values) as Option[]).find((name) => !common.includes(name) && !ALLOWED[role].includes(name));
  if (misplaced) throw new UsageError(`--${misplaced} is not an option of ${role}`);

  const string = (name: Option) => values[name] as string | undefined;
  const number = (name: Option, fallback: number, { integer = false, min = 0 } = {}): number => {
    const text = string(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} of at least ${min}, got '${text}'`);
    }
    return value;
  };
  const base: CommonOptions = {
    url: string('url') ?? env['RXM_URL'] ?? DEFAULT_URL,
    topic: string('topic') ?? 'profiler_topic',
    debug: values.debug === true,
    ...(string('json') !== undefined && { json: string('json')! }),
  };
  const server = string('server') ?? 'profiler_server';

  if (role === 'rpc-server' || role === 'notify-server') {
    const serverOptions: ServerOptions = {
      ...base,
      waitSeconds: number('wait', 0),
      executorSize: number('executor-size', 64, { integer: true, min: 1 }),
      clients: number('clients', 1, { integer: true }),
    };
    if (role === 'rpc-server') {
      if (!server) throw new UsageError('--server must not be empty for rpc-server');
      return { ...serverOptions, role, server };
    }
    const pool = string('pool');
    return { ...serverOptions, role, requeue: values.requeue === true, ...(pool !== undefined && { pool }) };
  }

  const duration = string('duration') === undefined ? undefined : number('duration', 0, { min: 0.001 });
  const messages = string('messages') === undefined ? (duration === undefined ? 1 : undefined) : number('messages', 1, { integer: true, min: 1 });
  const clientOptions: ClientOptions = {
    ...base,
    concurrency: number('concurrency', 1, { integer: true, min: 1 }),
    waitSeconds: number('wait', 0),
    size: number('size', 100, { integer: true }),
    sync: values.sync === true,
    ...(messages !== undefined && { messages }),
    ...(duration !== undefined && { duration }),
  };
  if (role === 'notify-client') return { ...clientOptions, role };

  const flags = [values['is-cast'] && 'cast', values['is-fanout'] && 'fanout', string('mode')].filter((m): m is string => typeof m === 'string');
  if (new Set(flags).size > 1) throw new UsageError(`choose one of --mode, --is-cast and --is-fanout, got ${flags.join(' and ')}`);
  const mode = flags[0] ?? 'call';
  if (mode !== 'call' && mode !== 'cast' && mode !== 'fanout') throw new UsageError(`--mode must be call, cast or fanout, got '${mode}'`);
  const warmup = string('warmup') === undefined ? undefined : number('warmup', 0, { min: 0 });
  if (warmup !== undefined && mode !== 'call') throw new UsageError(`--warmup applies to calls only (a server counts every cast it receives), got --mode ${mode}`);
  const syncMode = string('sync-mode') ?? 'call';
  if (syncMode !== 'call' && syncMode !== 'fanout') throw new UsageError(`--sync-mode must be call or fanout, got '${syncMode}'`);
  return {
    ...clientOptions,
    role,
    mode,
    syncMode,
    timeout: number('timeout', 3, { min: 0.001 }),
    ...(server !== '' && { server }),
    ...(warmup !== undefined && { warmup }),
  };
}

/** How a client's load is paced, for `runLoad`: the same for every engine. @internal */
export function loadPacing(options: RpcClientOptions | NotifyClientOptions) {
  return {
    concurrency: options.concurrency,
    pauseMs: options.waitSeconds * 1000,
    ...(options.messages !== undefined && { messagesPerCaller: options.messages }),
    ...(options.duration !== undefined && { seconds: options.duration }),
    ...(options.warmup !== undefined && { warmupSeconds: options.warmup }),
  };
}
