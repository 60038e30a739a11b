/**
 * `rxm simulator <role>`: parses the command line, runs the role with a meter and a progress
 * display, stops cleanly on SIGINT/SIGTERM, prints the summary and writes the JSON report.
 */
import { redactUrl, setLogSink } from '../../lib/index.js';
import { createMeter } from '../metering/meter.js';
import { startProgress } from '../metering/progress.js';
import { buildReport, summaryLine, writeReport } from '../metering/report.js';
import { runNotifyClient } from './notify-client.js';
import { runNotifyServer } from './notify-server.js';
import { parseSimulatorArgs, type SimulatorOptions, USAGE, UsageError, wantsHelp } from './options.js';
import type { RoleHooks } from './role.js';
import { runRpcClient } from './rpc-client.js';
import { runRpcServer } from './rpc-server.js';

interface SimulatorIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Runs one role; the benchmark swaps in other implementations of the same roles (raw amqplib). @internal */
export type RoleRunner = (options: SimulatorOptions, hooks: RoleHooks) => Promise<void>;

const STANDARD_IO: SimulatorIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** The role's runner: servers until synced or interrupted, clients until their load is sent. @internal */
export function runRole(options: SimulatorOptions, hooks: RoleHooks): Promise<void> {
  switch (options.role) {
    case 'rpc-server':
      return runRpcServer(options, hooks);
    case 'rpc-client':
      return runRpcClient(options, hooks);
    case 'notify-server':
      return runNotifyServer(options, hooks);
    case 'notify-client':
      return runNotifyClient(options, hooks);
  }
}

/**
 * Runs `rxm simulator …`; resolves with the exit code (0 ok, 1 failed, 2 bad usage). `tool`
 * and `run` name and implement the roles (rx-messaging's unless the benchmark says otherwise).
 * @internal
 */
export async function simulator(argv: readonly string[], io: SimulatorIo = STANDARD_IO, run: RoleRunner = runRole, tool = 'rxm simulator'): Promise<number> {
  if (wantsHelp(argv)) {
    io.stdout.write(USAGE);
    return 0;
  }
  let options: SimulatorOptions;
  try {
    options = parseSimulatorArgs(argv, io.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`${tool}: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  const restoreLog = options.debug
    ? setLogSink((record) => io.stderr.write(`${record.level.toUpperCase()} ${record.logger}: ${record.message}${record.fields ? ` ${JSON.stringify(record.fields)}` : ''}\n`))
    : undefined;
  const isClient = options.role.endsWith('-client');
  // A client says when its measured time begins (after any --warmup): the bench counts CPU time from there.
  const meter = createMeter(undefined, isClient ? () => io.stdout.write(`measuring: ${options.role}\n`) : undefined);
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const total = isClient && 'messages' in options && options.messages !== undefined && options.duration === undefined ? options.messages * options.concurrency : undefined;
  const progress = startProgress({
    label: options.role,
    meter,
    stream: io.stdout,
    ...(total !== undefined && { total }),
    ...(isClient && 'duration' in options && options.duration !== undefined && { seconds: options.duration }),
  });
  let failure: unknown;
  try {
    await run(options, {
      meter,
      signal: stop.signal,
      onReady: () =>
        io.stdout.write(`ready: ${options.role} on ${redactUrl(options.url)} topic ${options.topic}${'server' in options && options.server ? ` server ${options.server}` : ''}\n`),
    });
  } catch (error) {
    failure = error;
  } finally {
    progress.stop();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    restoreLog?.();
  }
  const { role, debug: _debug, json: _json, ...shown } = options;
  const report = buildReport(tool, role, { ...shown, url: redactUrl(options.url) }, meter);
  io.stdout.write(`${summaryLine(role, report.summary)}\n`);
  if (options.json) await writeReport(options.json, report);
  if (failure !== undefined) {
    io.stderr.write(`${tool} ${role} failed: ${failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure)}\n`);
    return 1;
  }
  return 0;
}
