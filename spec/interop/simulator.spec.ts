/**
 * `rxm simulator` and oslo.messaging's own tools/simulator.py (spec/interop/oslo-simulator, from
 * the 14.0.3 release installed here) finish each other's `--sync` runs: the client sends
 * `sync_start` and `sync_done` with `message: { id }`, and the server stops once every client
 * that started is done.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import * as assert from 'uvu/assert';
import type { Report } from '../../tools/metering/report.js';
import { deleteQueuesStartingWith, osloUrl, packageRoot, PYTHON, serviceSuite } from '../helpers/services.js';
import { rawBroker } from '../drivers/amqp/support.js';

const RXM = fileURLToPath(new URL('../../bin/rxm.js', import.meta.url));
const OSLO_SIMULATOR = join(packageRoot(), 'spec', 'interop', 'oslo-simulator', 'simulator.py');
const PREFIX = `rxm_sim_interop_${process.pid}`;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a process to its end; `onOutput` sees its stdout and stderr as they grow. */
function run(command: string, args: readonly string[], onOutput?: (text: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => ((stdout += chunk.toString()), onOutput?.(stdout + stderr)));
    child.stderr.on('data', (chunk: Buffer) => ((stderr += chunk.toString()), onOutput?.(stdout + stderr)));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** oslo's simulator JSON report: a summary of counts per label. */
interface OsloReport {
  readonly summary: Record<string, { count: number }> & { count?: number };
}

const Simulators = await serviceSuite<{ dir: string }>('interop: rxm simulator and oslo.messaging tools/simulator.py', ['rabbitmq', 'oslo'], { dir: '' });

Simulators.before.each(async (context) => {
  context.dir = await mkdtemp(join(tmpdir(), 'rxm-sim-interop-'));
});

Simulators.after.each(async ({ dir }) => {
  await rm(dir, { recursive: true, force: true });
});

Simulators.after(() => deleteQueuesStartingWith(PREFIX));

Simulators("should stop oslo's rpc-server with rxm's rpc-client --sync, every call answered", async ({ dir }) => {
  const topic = `${PREFIX}_oslo_server`;
  const server = run(PYTHON, [OSLO_SIMULATOR, '--url', osloUrl(), '-tp', topic, '-s', 'py', '-j', join(dir, 'server.json'), 'rpc-server', '-e', 'threading']);
  // oslo's server prints nothing when ready: its server queue appears when it is.
  const broker = await rawBroker();
  try {
    while (!(await broker.queueExists(`${topic}.py`))) await sleep(100);
  } finally {
    await broker.close();
  }
  const client = await run(process.execPath, [
    RXM,
    'simulator',
    'rpc-client',
    '--url',
    osloUrl(),
    '--topic',
    topic,
    '--server',
    'py',
    '-p',
    '2',
    '-m',
    '5',
    '--timeout',
    '30',
    '--sync',
    '--json',
    join(dir, 'client.json'),
  ]);
  assert.is(client.code, 0, client.stderr);
  assert.not.match(client.stderr, /sync_start failed/);
  const stopped = await server;
  assert.is(stopped.code, 0, stopped.stderr);
  assert.not.match(stopped.stderr, /missing 1 required positional argument/);
  const clientReport = JSON.parse(await readFile(join(dir, 'client.json'), 'utf8')) as Report;
  assert.is(clientReport.summary.messages, 10);
  assert.is(clientReport.summary.errors, 0);
  const serverReport = JSON.parse(await readFile(join(dir, 'server.json'), 'utf8')) as OsloReport;
  assert.is(serverReport.summary.count, 10);
});

Simulators("should stop rxm's rpc-server with oslo's rpc-client --sync call, its sync_start answered", async ({ dir }) => {
  const topic = `${PREFIX}_rxm_server`;
  let client: Promise<Run> | undefined;
  const server = run(process.execPath, [RXM, 'simulator', 'rpc-server', '--url', osloUrl(), '--topic', topic, '--server', 'ts', '--json', join(dir, 'server.json')], (text) => {
    if (client || !/^ready:/m.test(text)) return;
    client = run(PYTHON, [
      OSLO_SIMULATOR,
      '--url',
      osloUrl(),
      '-tg',
      `${topic}.ts`,
      '-j',
      join(dir, 'client.json'),
      'rpc-client',
      '-p',
      '1',
      '-m',
      '5',
      '--timeout',
      '30',
      '--sync',
      'call',
    ]);
  });
  const stopped = await server;
  assert.is(stopped.code, 0, stopped.stderr);
  const finished = await client!;
  assert.is(finished.code, 0, finished.stderr);
  assert.not.match(finished.stderr, /NoSuchMethod|failed to sync|failed finish the sync/);
  const clientReport = JSON.parse(await readFile(join(dir, 'client.json'), 'utf8')) as OsloReport;
  assert.is(clientReport.summary['client']?.count, 5);
  assert.is(clientReport.summary['error']?.count, 0);
  const serverReport = JSON.parse(await readFile(join(dir, 'server.json'), 'utf8')) as Report;
  assert.is(serverReport.summary.messages, 5);
});

Simulators.run();
