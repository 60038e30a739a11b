import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { command, plan, roles, ZMQ_URL } from '../../bench/plan.js';
import { runProcesses } from '../../bench/processes.js';
import { SCENARIOS } from '../../bench/scenarios.js';

const TIMEOUTS = { readyMs: 30_000, clientMs: 60_000, drainMs: 30_000 };

/** The zeromq harness's server and client as two processes, as the bench runs them, with a small fixed load. */
async function exchange(client: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'rxm-zeromq-harness-spec-'));
  try {
    const { file, args } = command('zeromq');
    const common = ['--url', 'tcp://127.0.0.1', '--topic', 'unused', '--endpoints', join(dir, 'endpoints.json')];
    const reports = { server: join(dir, 'server.json'), client: join(dir, 'client.json') };
    return await runProcesses(
      { file, args: [...args, 'rpc-server', '--server', 's1', ...common, '--json', reports.server] },
      { file, args: [...args, ...client, ...common, '--sync', '--json', reports.client] },
      reports,
      TIMEOUTS,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const Harness = suite('the plain zeromq.js harness');

Harness('should answer every call of every caller', async () => {
  const { server, client } = await exchange(['rpc-client', '--server', 's1', '-p', '5', '-m', '20']);
  assert.is(client.summary.messages, 100);
  assert.is(client.summary.errors, 0);
  assert.is(server.summary.messages, 100);
  assert.is(client.tool, 'zeromq harness');
  assert.ok(client.summary.p99_ms >= client.summary.p50_ms && client.summary.p50_ms > 0);
});

Harness('should deliver every cast before the sync_done behind them', async () => {
  const { server, client } = await exchange(['rpc-client', '--server', 's1', '--mode', 'cast', '-p', '5', '-m', '200']);
  assert.is(client.summary.messages, 1000);
  assert.is(server.summary.messages, 1000);
  assert.is(server.summary.errors, 0);
});

const Plan = suite('the ZeroMQ rows of npm run bench');

Plan('should run calls at 1, 5 and 50 callers and casts at 50 on ZeroMQ, by plain zeromq.js and by rx-messaging', () => {
  const zmq = SCENARIOS.filter((s) => s.broker === 'zmq').map((s) => `${s.kind} p${s.concurrency} ${s.engines.join(',')}`);
  assert.equal(zmq, ['call p1 zeromq,rx-zmq', 'call p5 zeromq,rx-zmq', 'call p50 zeromq,rx-zmq', 'cast p50 zeromq,rx-zmq']);
});

Plan('should run rx-zmq as rxm simulator over the Redis matchmaker, server and client in two processes', () => {
  const scenario = SCENARIOS.find((s) => s.id === 'zmq-call-p5-100b')!;
  const steps = plan(scenario, 'rx-zmq', { url: 'rabbit://unused/', seconds: 1, dir: '/tmp/x' });
  assert.equal(steps.server.slice(0, 3), ['rpc-server', '--url', ZMQ_URL]);
  assert.equal(plan(scenario, 'rx-zmq', { url: 'rabbit://unused/', zmqUrl: 'zmq+redis://10.0.0.1:6380/', seconds: 1, dir: '/tmp/x' }).client.slice(1, 3), [
    '--url',
    'zmq+redis://10.0.0.1:6380/',
  ]);
  assert.match(command('rx-zmq').args.join(' '), /dist\/bin\/rxm\.js simulator$/);
  assert.is(roles('rx-zmq'), undefined);
  assert.is(roles('zeromq'), undefined);
  const harness = plan(scenario, 'zeromq', { url: 'rabbit://unused/', seconds: 1, dir: '/tmp/x' });
  assert.ok(harness.server.includes('--endpoints') && harness.client.includes('--endpoints'));
});

Harness.run();
Plan.run();
