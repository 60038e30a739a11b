import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../tools/metering/report.js';
import { deleteQueuesStartingWith, osloUrl, serviceSuite } from '../helpers/services.js';

/** The compiled CLI, next to this spec in dist/. */
const RXM = fileURLToPath(new URL('../../bin/rxm.js', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs rxm; `whenReady` is called once it printed its `ready:` line (servers). */
function rxm(args: readonly string[], whenReady?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RXM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (whenReady && /^ready:/m.test(stdout)) {
        whenReady(child);
        whenReady = undefined;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const Cli = suite('rxm (the package bin)');

Cli('should print its usage with --help and exit 0', async () => {
  const run = await rxm(['--help']);
  assert.is(run.code, 0);
  assert.match(run.stdout, /rxm simulator <rpc-server\|rpc-client\|notify-server\|notify-client>/);
});

Cli('should refuse an unknown command with exit code 2', async () => {
  const run = await rxm(['benchmark']);
  assert.is(run.code, 2);
  assert.match(run.stderr, /rxm: unknown command 'benchmark'/);
});

Cli('should list roles and options with simulator --help', async () => {
  const run = await rxm(['simulator', '--help']);
  assert.is(run.code, 0);
  for (const text of ['rpc-server', 'rpc-client', 'notify-server', 'notify-client', '--url', '--concurrency', '--duration', '--json', '--is-cast', '--timeout', '--size']) assert.ok(run.stdout.includes(text), text);
});

Cli('should exit 2 with the reason and the usage for a bad simulator command line', async () => {
  const run = await rxm(['simulator', 'rpc-client', '-p', '0']);
  assert.is(run.code, 2);
  assert.match(run.stderr, /--concurrency must be an integer of at least 1, got '0'/);
  assert.match(run.stderr, /Usage: rxm simulator <role>/);
});

Cli('should stop a server on SIGINT, print its summary and write its report', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rxm-bin-spec-'));
  try {
    const file = join(dir, 'server.json');
    const run = await rxm(['simulator', 'rpc-server', '--url', 'memory://bin', '--json', file], (child) => child.kill('SIGINT'));
    assert.is(run.code, 0);
    assert.match(run.stdout, /^rpc-server: 0 msg in/m);
    const report = JSON.parse(await readFile(file, 'utf8')) as Report;
    assert.is(report.role, 'rpc-server');
    assert.is(report.summary.messages, 0);
    assert.is((report.options as { url: string }).url, 'memory://bin');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Cli.run();

const Rabbit = await serviceSuite('rxm simulator over RabbitMQ, server and client processes', ['rabbitmq']);

Rabbit('should serve calls and casts between two processes and stop the server on sync_done', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'rxm-bin-spec-'));
  try {
    const url = osloUrl();
    const topic = `rxm_bin_spec_${process.pid}`;
    const common = ['--url', url, '--topic', topic, '--server', 's1'];
    let client: Promise<Run> | undefined;
    const server = await rxm(['simulator', 'rpc-server', ...common, '--json', join(dir, 'server.json')], () => {
      client = rxm(['simulator', 'rpc-client', ...common, '-p', '5', '-m', '20', '--timeout', '10', '--sync', '--json', join(dir, 'client.json')]);
    });
    const finished = await client!;
    assert.is(finished.code, 0, finished.stderr);
    assert.is(server.code, 0, server.stderr);
    const clientReport = JSON.parse(await readFile(join(dir, 'client.json'), 'utf8')) as Report;
    const serverReport = JSON.parse(await readFile(join(dir, 'server.json'), 'utf8')) as Report;
    assert.is(clientReport.summary.messages, 100);
    assert.is(clientReport.summary.errors, 0);
    assert.is(serverReport.summary.messages, 100);
    assert.match((clientReport.options as { url: string }).url, /:\*\*\*@/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

Rabbit.after(() => deleteQueuesStartingWith(`rxm_bin_spec_${process.pid}`));

Rabbit.run();
