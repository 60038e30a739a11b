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

/** Runs rxm; `whenReady` is called once its stdout matches `ready` (by default its `ready:` line, printed by servers). */
function rxm(args: readonly string[], whenReady?: (child: ReturnType<typeof spawn>) => void, ready = /^ready:/m): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RXM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (whenReady && ready.test(stdout)) {
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
  for (const text of ['rpc-server', 'rpc-client', 'notify-server', 'notify-client', '--url', '--concurrency', '--duration', '--json', '--is-cast', '--timeout', '--size'])
    assert.ok(run.stdout.includes(text), text);
});

Cli("should print the usage for a role's own --help and exit 0", async () => {
  for (const help of ['--help', '-h']) {
    const run = await rxm(['simulator', 'rpc-client', help]);
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /rpc-client only:/);
  }
  const after = await rxm(['simulator', 'rpc-server', '--topic', 't', '--help']);
  assert.is(after.code, 0, after.stderr);
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

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Rabbit(`should stop a --sync client waiting for sync_done with no server on ${signal}, writing its summary and report`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rxm-bin-spec-'));
    try {
      const file = join(dir, 'client.json');
      const args = [
        'simulator',
        'rpc-client',
        '--url',
        osloUrl(),
        '--topic',
        `rxm_bin_spec_${process.pid}_alone`,
        '-p',
        '1',
        '-m',
        '1',
        '--timeout',
        '0.5',
        '--sync',
        '--json',
        file,
      ];
      // Its one message has failed (no server): it now waits up to 300 s for sync_done.
      const run = await rxm(args, (child) => child.kill(signal), /errors 1/);
      assert.is(run.code, 0, run.stderr);
      assert.match(run.stdout, /^rpc-client: 0 msg in .*1 errors/m);
      const report = JSON.parse(await readFile(file, 'utf8')) as Report;
      assert.is(report.summary.errors, 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}

Rabbit('should exit on a second signal sent right after the first', async () => {
  const args = ['simulator', 'rpc-client', '--url', osloUrl(), '--topic', `rxm_bin_spec_${process.pid}_alone`, '-p', '1', '-m', '1', '--timeout', '0.5', '--sync'];
  const run = await rxm(args, (child) => (child.kill('SIGTERM'), child.kill('SIGTERM')), /errors 1/);
  assert.ok(run.code !== 0 || run.stdout.includes('rpc-client: '), 'it exited');
});

Rabbit.after(() => deleteQueuesStartingWith(`rxm_bin_spec_${process.pid}`));

Rabbit.run();
