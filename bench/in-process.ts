/**
 * Runs a scenario's server and client in this process (bench/engine-process.ts, one per run), with
 * exactly the arguments the processes would get: for memory:// (a broker that exists only inside
 * one process), and for the Node engines on RabbitMQ unless the run splits them (`--split`).
 * `onMeasuring` is called when the client's measured time begins.
 */
import { createMeter } from '../tools/metering/meter.js';
import { buildReport, type Report } from '../tools/metering/report.js';
import { runRole, type RoleRunner } from '../tools/simulator/index.js';
import { parseSimulatorArgs } from '../tools/simulator/options.js';

/** How long the server may take after the client finished (a backlog to drain) before it is stopped. */
const DRAIN_MS = 120_000;

export async function runInProcess(
  serverArgs: readonly string[],
  clientArgs: readonly string[],
  run: RoleRunner = runRole,
  tool = 'rxm simulator',
  onMeasuring?: () => void,
): Promise<{ server: Report; client: Report }> {
  const serverOptions = parseSimulatorArgs(serverArgs);
  const clientOptions = parseSimulatorArgs(clientArgs);
  const serverMeter = createMeter();
  const clientMeter = createMeter(undefined, onMeasuring);
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const stop = new AbortController();
  const serving = run(serverOptions, { meter: serverMeter, onReady: ready, signal: stop.signal });
  // A server that fails to start must not leave the run waiting for `ready` forever.
  await Promise.race([isReady, serving]);
  try {
    await run(clientOptions, { meter: clientMeter });
  } catch (error) {
    stop.abort();
    await serving.catch(() => undefined);
    throw error;
  }
  // Stopped early, the server reports what it received; the shortfall shows as lost messages.
  const overrun = setTimeout(() => stop.abort(), DRAIN_MS);
  await serving.finally(() => clearTimeout(overrun));
  return {
    server: buildReport(tool, serverOptions.role, { url: serverOptions.url }, serverMeter),
    client: buildReport(tool, clientOptions.role, { url: clientOptions.url }, clientMeter),
  };
}
