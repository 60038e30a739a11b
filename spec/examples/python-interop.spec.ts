/**
 * The README's interop walk-through: examples/rpc-client.ts calls a Python oslo.messaging server,
 * and a Python oslo.messaging client calls examples/rpc-server.ts, over the local RabbitMQ.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as assert from 'uvu/assert';
import { osloUrl, PYTHON, serviceSuite } from '../helpers/services.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };

/** Starts a long-running example and resolves once it printed `ready`. */
async function start(command: string, args: string[], ready: RegExp): Promise<ChildProcess & { output: () => string }> {
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  while (!ready.test(output)) {
    if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited early:\n${output}`);
    await once(child.stdout!, 'data');
  }
  return Object.assign(child, { output: () => output });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGINT');
  await once(child, 'exit');
}

const Interop = await serviceSuite('examples: TypeScript and Python oslo.messaging over RabbitMQ', ['rabbitmq', 'oslo']);

Interop('should let the TypeScript client call the Python server', async () => {
  const server = await start(PYTHON, ['examples/python/compute_server.py', osloUrl()], /serving topic 'compute'/);
  try {
    const { stdout } = await run(process.execPath, ['dist/examples/rpc-client.js', osloUrl()], { cwd: root, env, timeout: 60_000 });
    assert.match(stdout, /instance 42 is active on py-1/);
    assert.match(stdout, /whoami → \{ user: 'alice', host: 'py-1' \}/);
    assert.match(stdout, /reboot cast sent/);
    while (!/reboot of instance 42 requested/.test(server.output())) await once(server.stdout!, 'data');
  } finally {
    await stop(server);
  }
});

Interop('should let the Python client call the TypeScript server', async () => {
  const server = await start(process.execPath, ['dist/examples/rpc-server.js', osloUrl(), 'ts-1'], /serving topic 'compute'/);
  try {
    const { stdout } = await run(PYTHON, ['examples/python/compute_client.py', osloUrl()], { cwd: root, env, timeout: 60_000 });
    assert.match(stdout, /get_host -> \{'id': 42, 'host': 'ts-1', 'state': 'active'\}/);
    assert.match(stdout, /whoami -> \{'user': 'bob', 'host': 'ts-1'\}/);
    while (!/reboot of instance 42 requested/.test(server.output())) await once(server.stdout!, 'data');
  } finally {
    await stop(server);
  }
});

Interop.run();
