import { createServer } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createCpuClock, listeningProcess } from '../../bench/cpu-time.js';
import { plan } from '../../bench/plan.js';
import { SCENARIOS } from '../../bench/scenarios.js';

const Cpu = suite('bench: CPU time per message');

/** Work for the CPU clock to see; returns its sum so it cannot be optimised away. */
function spin(times: number): number {
  let sum = 0;
  for (let i = 0; i < times; i++) sum += i % 7;
  return sum;
}

Cpu("should count a child's CPU from the start until it was waited for, leaving out what it spent before", async () => {
  const clock = createCpuClock(undefined);
  assert.is(await clock.read(), undefined, 'never started');
  const { spawn } = await import('node:child_process');
  // The child spins before the start (left out), then after it, until it exits.
  const child = spawn(process.execPath, ['-e', 'let s = 0; for (let i = 0; i < 1e8; i++) s += i % 3; process.stdout.write("half\\n"); for (let i = 0; i < 1e8; i++) s += i % 3;']);
  await new Promise((resolve) => child.stdout.once('data', resolve));
  clock.start([child.pid!]);
  assert.ok(spin(2e7) > 0);
  await new Promise((resolve) => child.once('exit', resolve));
  const spent = await clock.read();
  // The child's second half alone spins for well over the 10 ms tick of /proc's times.
  assert.ok(spent!.engineUs > 10_000, `engine CPU ${spent!.engineUs} µs`);
  assert.is(spent!.brokerUs, undefined);
});

Cpu("should find the process listening on a port, and count that process's CPU as the broker's", async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    assert.is(await listeningProcess(port), process.pid);
    const clock = createCpuClock(process.pid);
    clock.start([]);
    assert.ok(spin(3e7) > 0);
    assert.type((await clock.read())?.brokerUs, 'number');
  } finally {
    server.close();
  }
  assert.is(await listeningProcess(1), undefined);
});

Cpu('should warm up the Node engines before a call run, and neither casts nor Python', () => {
  const call = SCENARIOS.find((s) => s.id === 'rabbit-call-p1-100b')!;
  const cast = SCENARIOS.find((s) => s.kind === 'cast' && s.broker === 'rabbit')!;
  const settings = { url: 'rabbit://h/', seconds: 3, warmup: 2, dir: '/tmp/x' };
  const warmup = (args: readonly string[]) => args[args.indexOf('--warmup') + 1];
  assert.is(warmup(plan(call, 'rx', settings).client), '2');
  assert.is(warmup(plan(call, 'amqplib', settings).client), '2');
  assert.not.ok(plan(call, 'oslo', settings).client.includes('--warmup'));
  assert.not.ok(plan(cast, 'rx', settings).client.includes('--warmup'));
  assert.not.ok(plan(call, 'rx', { ...settings, warmup: 0 }).client.includes('--warmup'));
});

Cpu.run();
