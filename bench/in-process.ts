/**
 * Runs a scenario's server and client in this process, for memory:// (a broker that exists
 * only inside one process), with exactly the arguments the processes would get.
 */
import { createMeter } from '../lib/cli/meter.js';
import { buildReport, type Report } from '../lib/cli/report.js';
import { runRole } from '../lib/cli/simulator/index.js';
import { parseSimulatorArgs } from '../lib/cli/simulator/options.js';

export async function runInProcess(serverArgs: readonly string[], clientArgs: readonly string[]): Promise<{ server: Report; client: Report }> {
  const serverOptions = parseSimulatorArgs(serverArgs);
  const clientOptions = parseSimulatorArgs(clientArgs);
  const serverMeter = createMeter();
  const clientMeter = createMeter();
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const stop = new AbortController();
  const serving = runRole(serverOptions, { meter: serverMeter, onReady: ready, signal: stop.signal });
  // A server that fails to start must not leave the run waiting for `ready` forever.
  await Promise.race([isReady, serving]);
  try {
    await runRole(clientOptions, { meter: clientMeter });
  } catch (error) {
    stop.abort();
    await serving.catch(() => undefined);
    throw error;
  }
  await serving;
  return {
    server: buildReport('rxm simulator', serverOptions.role, { url: serverOptions.url }, serverMeter),
    client: buildReport('rxm simulator', clientOptions.role, { url: clientOptions.url }, clientMeter),
  };
}
