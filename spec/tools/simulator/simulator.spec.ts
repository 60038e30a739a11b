import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../../tools/metering/report.js';
import { simulator } from '../../../tools/simulator/index.js';

/** One simulator run's streams, captured; not a terminal, so progress comes as plain lines. */
function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { streams: { stdout, stderr, env: {} }, out: () => out, err: () => err };
}

/** Resolves once `text` shows something matching `pattern`. */
async function until(text: () => string, pattern: RegExp): Promise<void> {
  while (!pattern.test(text())) await new Promise((resolve) => setTimeout(resolve, 5));
}

const Simulator = suite<{ dir: string; n: number }>('rxm simulator, server and client in one process on memory://', { dir: '', n: 0 });

Simulator.before.each(async (context) => {
  context.dir = await mkdtemp(join(tmpdir(), 'rxm-simulator-spec-'));
  context.n++;
});

Simulator.after.each(async ({ dir }) => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs a server role and, once it is ready, a client role; both on one memory broker. */
async function pair(dir: string, url: string, server: string[], client: string[]) {
  const serverIo = io();
  const clientIo = io();
  const serving = simulator([...server, '--url', url, '--json', join(dir, 'server.json')], serverIo.streams);
  await until(serverIo.out, /^ready:/m);
  const clientCode = await simulator([...client, '--url', url, '--json', join(dir, 'client.json')], clientIo.streams);
  const serverCode = await serving;
  const read = async (name: string) => JSON.parse(await readFile(join(dir, name), 'utf8')) as Report;
  return { serverCode, clientCode, server: await read('server.json'), client: await read('client.json'), serverOut: serverIo.out(), clientOut: clientIo.out() };
}

Simulator('should serve every call, stop the server on sync_done, and write both reports', async ({ dir, n }) => {
  const run = await pair(dir, `memory://sim-${n}`, ['rpc-server'], ['rpc-client', '-p', '4', '-m', '25', '--sync']);
  assert.is(run.clientCode, 0);
  assert.is(run.serverCode, 0);
  assert.is(run.client.summary.messages, 100);
  assert.is(run.client.summary.errors, 0);
  assert.is(run.server.summary.messages, 100);
  assert.is(run.client.role, 'rpc-client');
  assert.is(run.client.tool, 'rxm simulator');
  assert.ok(run.client.summary.p99_ms >= run.client.summary.p50_ms);
  assert.match(run.clientOut, /rpc-client: 100 msg in [\d.]+ s = \d+ msg\/s/);
  assert.match(run.serverOut, /^ready: rpc-server on memory:\/\/sim-\d+ topic profiler_topic server profiler_server$/m);
});

Simulator("should show the URL without its password, one holding '@' included, on screen and in the reports", async ({ dir, n }) => {
  const run = await pair(dir, `memory://bob:s3cr@t@sim-${n}`, ['rpc-server'], ['rpc-client', '-m', '2', '--sync']);
  assert.match(run.serverOut, new RegExp(`^ready: rpc-server on memory://bob:\\*\\*\\*@sim-${n} topic`, 'm'));
  assert.is(run.server.options['url'], `memory://bob:***@sim-${n}`);
  assert.is(run.client.options['url'], `memory://bob:***@sim-${n}`);
  assert.not.match(`${run.serverOut}${run.clientOut}${JSON.stringify([run.server, run.client])}`, /s3cr|t@sim/);
});

Simulator('should deliver casts and fanout casts to the server', async ({ dir, n }) => {
  const cast = await pair(dir, `memory://sim-${n}`, ['rpc-server'], ['rpc-client', '--is-cast', '-p', '2', '-m', '30', '--sync']);
  assert.is(cast.server.summary.messages, 60);
  const fanout = await pair(dir, `memory://sim-${n}-f`, ['rpc-server'], ['rpc-client', '--is-fanout', '-m', '10', '--sync', '--sync-mode', 'fanout']);
  assert.is(fanout.server.summary.messages, 10);
});

Simulator('should deliver notifications, each requeued once with --requeue', async ({ dir, n }) => {
  const run = await pair(dir, `memory://sim-${n}`, ['notify-server', '--requeue'], ['notify-client', '-p', '3', '-m', '10', '--sync']);
  assert.is(run.clientCode, 0);
  assert.is(run.serverCode, 0);
  assert.is(run.client.summary.messages, 30);
  assert.is(run.server.summary.messages, 30);
});

Simulator('should count calls nobody answers as MessagingTimeout errors', async ({ n }) => {
  const client = io();
  const code = await simulator(['rpc-client', '--url', `memory://sim-${n}`, '-m', '2', '--timeout', '0.05'], client.streams);
  assert.is(code, 0);
  assert.match(client.out(), /rpc-client: 0 msg .* 2 errors \(MessagingTimeout 2\)/);
});

Simulator('should write a line per second when not on a terminal, with the report series', async ({ dir, n }) => {
  const run = await pair(dir, `memory://sim-${n}`, ['rpc-server'], ['rpc-client', '-l', '1.2', '--sync']);
  assert.match(run.clientOut, /^rpc-client 1s \d+ msg \d+ bytes latency [\d.]+ ms \(min [\d.]+ max [\d.]+\) errors 0$/m);
  assert.ok(run.client.series.length >= 2);
  assert.is(run.client.series[0]!.second, 0);
});

Simulator('should print the usage and exit 2 on a bad command line', async () => {
  const bad = io();
  assert.is(await simulator(['rpc-client', '--mode', 'multicast'], bad.streams), 2);
  assert.match(bad.err(), /--mode must be call, cast or fanout/);
  assert.match(bad.err(), /Usage: rxm simulator <role>/);
  const help = io();
  assert.is(await simulator(['--help'], help.streams), 0);
  assert.match(help.out(), /rpc-server/);
});

Simulator('should exit 1 and say why when the transport cannot be had', async () => {
  const failing = io();
  assert.is(await simulator(['rpc-server', '--url', 'nosuch://x'], failing.streams), 1);
  assert.match(failing.err(), /rxm simulator rpc-server failed: InvalidTransportUrl/);
});

Simulator.run();
