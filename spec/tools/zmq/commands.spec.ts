import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Publisher, Subscriber } from 'zeromq';
import { checkCurveOptions, curveFromUrlOptions } from '../../../drivers/zmq/security.js';

/** The compiled CLI (dist/bin/rxm.js), from this spec in dist/spec/tools/zmq/. */
const RXM = fileURLToPath(new URL('../../../bin/rxm.js', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs rxm; `whenReady` gets the child and its `ready:` line once printed. */
function rxm(args: readonly string[], whenReady?: (child: ChildProcess, line: string) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RXM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^ready:.*$/m.exec(stdout)?.[0];
      if (whenReady && line) {
        whenReady(child, line);
        whenReady = undefined;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const Keys = suite('rxm zmq-keys');

Keys('should print a new, valid CURVE key pair as JSON by default', async () => {
  const run = await rxm(['zmq-keys']);
  assert.is(run.code, 0, run.stderr);
  const pair = JSON.parse(run.stdout) as { publicKey: string; secretKey: string };
  assert.equal(Object.keys(pair), ['publicKey', 'secretKey']);
  checkCurveOptions({ curveClientKeys: pair });
  const again = JSON.parse((await rxm(['zmq-keys', '--format', 'json'])).stdout) as { publicKey: string };
  assert.is.not(again.publicKey, pair.publicKey, 'a new pair each time');
});

Keys("should print NAME=VALUE lines under the driver's option names, which a keys file reads back", async () => {
  const client = await rxm(['zmq-keys', '--format', 'env']);
  assert.is(client.code, 0, client.stderr);
  assert.match(client.stdout, /^ZMQ_CURVE_PUBLIC_KEY=.{40}\nZMQ_CURVE_SECRET_KEY=.{40}\n$/);
  const server = await rxm(['zmq-keys', '--format', 'env', '--server']);
  assert.match(server.stdout, /^ZMQ_CURVE_SERVER_PUBLIC_KEY=.{40}\nZMQ_CURVE_SERVER_SECRET_KEY=.{40}\n$/);
  const values = Object.fromEntries(
    server.stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')).toLowerCase(), line.slice(line.indexOf('=') + 1)]),
  );
  const parsed = curveFromUrlOptions({
    zmq_curve_server_public_key: values['zmq_curve_server_public_key'],
    zmq_curve_server_secret_key: values['zmq_curve_server_secret_key'],
    zmq_curve_public_key: undefined,
    zmq_curve_secret_key: undefined,
    zmq_curve_allowed_clients: undefined,
    zmq_curve_keys_file: undefined,
  });
  assert.ok(parsed.curveServerKeys);
});

Keys('should print its usage with --help and exit 0', async () => {
  const run = await rxm(['zmq-keys', '--help']);
  assert.is(run.code, 0);
  assert.match(run.stdout, /Usage: rxm zmq-keys \[--format json\|env\]/);
});

Keys('should refuse a bad flag or format in one line naming it, with exit code 2', async () => {
  for (const [args, named] of [
    [['--bogus'], /'--bogus'/],
    [['--format', 'xml'], /--format must be json or env, got 'xml'/],
  ] as const) {
    const run = await rxm(['zmq-keys', ...args]);
    assert.is(run.code, 2);
    assert.is(run.stdout, '');
    assert.is(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, named);
  }
});

const ProxyCli = suite('rxm zmq-proxy');

ProxyCli('should forward published messages to subscribers, then stop cleanly on SIGTERM', async () => {
  const publisher = new Publisher({ linger: 0 });
  const subscriber = new Subscriber({ linger: 0 });
  let forwarded = '';
  const run = await rxm(['zmq-proxy', '--frontend', 'tcp://127.0.0.1:*', '--backend', 'tcp://127.0.0.1:*'], (child, line) => {
    const [, frontend, backend] = /frontend (\S+) backend (\S+)/.exec(line)!;
    void (async () => {
      subscriber.connect(backend!);
      subscriber.subscribe('fanout.');
      publisher.connect(frontend!);
      // A subscription reaches the publisher some time after connecting: publish until one arrives.
      const received = subscriber.receive();
      let arrived = false;
      void received.then(() => (arrived = true));
      while (!arrived) {
        await publisher.send(['fanout.demo', 'hello']);
        await new Promise((resolve) => setImmediate(resolve));
      }
      forwarded = (await received).map(String).join(' ');
      child.kill('SIGTERM');
    })();
  });
  publisher.close();
  subscriber.close();
  assert.is(forwarded, 'fanout.demo hello');
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, /^ready: zmq-proxy frontend tcp:\/\/127\.0\.0\.1:\d+ backend tcp:\/\/127\.0\.0\.1:\d+$/m);
  assert.match(run.stdout, /zmq-proxy stopped/);
});

ProxyCli('should print its usage with --help, and refuse a bad flag in one line with exit code 2', async () => {
  const help = await rxm(['zmq-proxy', '--help']);
  assert.is(help.code, 0);
  assert.match(help.stdout, /--frontend ENDPOINT/);
  const bad = await rxm(['zmq-proxy', '--front', 'tcp://*:1']);
  assert.is(bad.code, 2);
  assert.is(bad.stderr.trimEnd().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /'--front'/);
});

ProxyCli('should fail with exit code 1 when it cannot bind, naming the endpoint', async () => {
  const run = await rxm(['zmq-proxy', '--frontend', 'tcp://127.0.0.1:*', '--backend', 'nonsense://x']);
  assert.is(run.code, 1);
  assert.match(run.stderr, /cannot bind nonsense:\/\/x/);
});

Keys.run();
ProxyCli.run();
