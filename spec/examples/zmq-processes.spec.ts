/** The examples and `rxm` as separate processes over zmq+redis: nothing between them but ZeroMQ and the matchmaker. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId } from '../../lib/core/ids.js';
import { redisUnavailable, skippedSuite } from '../helpers/services.js';
import { deleteRedisKeys } from '../drivers/zmq/support.js';

interface Context {
  prefix: string;
  url: string;
  children: ChildProcess[];
}

const reason = await redisUnavailable();
const name = 'examples over zmq+redis (separate processes)';
const ZmqProcesses = reason === undefined ? suite<Context>(name) : skippedSuite<Context>(name, reason);

const script = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

interface Running {
  readonly child: ChildProcess;
  /** What it printed so far, stdout and stderr. */
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves once `text` was printed (true), or the process ended without printing it (false). */
  printed(text: string): Promise<boolean>;
  /** Resolves once it exited and its output was read to the end: [code, signal]. */
  readonly closed: Promise<[number | null, NodeJS.Signals | null]>;
}

function run(context: Context, path: string, args: readonly string[]): Running {
  const child = spawn(process.execPath, [script(path), ...args], { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  context.children.push(child);
  let out = '';
  let err = '';
  const waiting = new Set<() => void>();
  const onData = () => {
    for (const check of [...waiting]) check();
  };
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    onData();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    onData();
  });
  // 'close', not 'exit': the output is read to its end.
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (code, signal) => resolve([code, signal])));
  return {
    child,
    out: () => out,
    err: () => err,
    closed,
    printed: (text) =>
      new Promise<boolean>((resolve) => {
        const check = () => {
          if (!(out + err).includes(text)) return;
          waiting.delete(check);
          resolve(true);
        };
        waiting.add(check);
        check();
        void closed.then(() => resolve((out + err).includes(text)));
      }),
  };
}

ZmqProcesses.before.each((context) => {
  context.prefix = `rxm-spec-${hexId()}:`;
  context.url = `zmq+redis://127.0.0.1:6379/?zmq_matchmaker_prefix=${encodeURIComponent(context.prefix)}`;
  context.children = [];
});

ZmqProcesses.after.each(async (context) => {
  for (const child of context.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await deleteRedisKeys(context.prefix);
});

ZmqProcesses('should answer examples/rpc-client.js from examples/rpc-server.js, and drain the server on SIGTERM', async (context) => {
  const server = run(context, 'examples/rpc-server.js', [context.url, 'host-x']);
  assert.ok(await server.printed('Ctrl-C stops'), `the server did not start: ${server.err()}`);
  const client = run(context, 'examples/rpc-client.js', [context.url]);
  assert.equal(await client.closed, [0, null], client.err());
  assert.match(client.out(), /^instance 42 is active on host-x$/m);
  assert.match(client.out(), /^whoami → \{ user: 'alice', host: 'host-x' \}$/m);
  assert.match(client.out(), /^reboot cast sent$/m);
  assert.ok(await server.printed('reboot of instance 42 requested'), 'the cast reached the server');
  server.child.kill('SIGTERM');
  assert.equal(await server.closed, [0, null], 'a drained server exits with 0, not killed by the signal');
  assert.match(server.out(), /stopped\n$/);
});

ZmqProcesses('should deliver the notifications of examples/notifier.js to `rxm tail` in another process', async (context) => {
  // examples/notifier.ts publishes demoEventCount(3) = 10: three boots of three events each, and a failed resize.
  const tail = run(context, 'bin/rxm.js', ['tail', '--url', context.url, '--count', '10']);
  assert.ok(await tail.printed('ready: tail on'), `rxm tail did not start: ${tail.err()}`);
  const publisher = run(context, 'examples/notifier.js', [context.url]);
  assert.equal(await publisher.closed, [0, null], publisher.err());
  assert.match(publisher.out(), /published 10 notifications; 0 failure\(s\)/);
  assert.equal(await tail.closed, [0, null], tail.err());
  const lines = tail
    .out()
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { priority: string; eventType: string; payload: { instance_id: string } });
  assert.is(lines.length, 10);
  assert.equal(
    lines.filter((line) => line.payload.instance_id === 'instance-3').map((line) => `${line.priority} ${line.eventType}`),
    ['info compute.instance.create.start', 'sample compute.instance.cpu', 'info compute.instance.create.end', 'error compute.instance.resize.error'],
  );
});

ZmqProcesses.run();
