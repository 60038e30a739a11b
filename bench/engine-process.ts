/**
 * One run of a Node engine, its server and client together, in a process of its own:
 * `node dist/bench/engine-process.js '{"engine":"rx","server":[…],"client":[…]}'`. A fresh process
 * per run keeps one engine's use of shared libraries (rxjs, amqplib) from shaping how V8 compiles
 * them for the next engine, as running every engine in the bench's own process did. It writes both
 * reports to the files their `--json` name, and prints `measuring:` when the client's measured
 * time begins.
 */
import { writeReport } from '../tools/metering/report.js';
import { runInProcess } from './in-process.js';
import { roles } from './plan.js';
import type { Engine } from './scenarios.js';

/** What the bench hands the process. */
export interface EngineRun {
  readonly engine: Engine;
  readonly osloWireWithout?: string;
  readonly server: readonly string[];
  readonly client: readonly string[];
}

const run = JSON.parse(process.argv[2] ?? '{}') as EngineRun;
const role = roles(run.engine, run.osloWireWithout);
if (!role) throw new Error(`engine ${run.engine} has no roles to run in one process`);
const reports = await runInProcess(run.server, run.client, role, run.engine, () => process.stdout.write('measuring:\n'));
const jsonOf = (args: readonly string[]) => args[args.indexOf('--json') + 1]!;
await Promise.all([writeReport(jsonOf(run.server), reports.server), writeReport(jsonOf(run.client), reports.client)]);
// Drivers' timers and sockets are closed; whatever a library left open must not keep the run going.
process.exit(0);
