import { createServer } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { listeningProcess, startCpuClock } from '../../bench/cpu-time.js';
import { plan } from '../../bench/plan.js';
import { SCENARIOS } from '../../bench/scenarios.js';

const Cpu = suite('bench: CPU time per message');

/** Work for the CPU clock to see; returns its sum so it cannot be optimised away. */
function spin(times: number): number {
  let sum = 0;
  for (let i = 0; i < times; i++) sum += i % 7;
  return sum;
}

Cpu("should count this process's CPU, and a child's once it was waited for", async () => {
  const read = await startCpuClock(undefined);
  assert.ok(spin(2e7) > 0);
  const { spawnSync } = await import('node:child_process');
  spawnSync(process.execPath, ['-e', 'let s = 0; for (let i = 0; i < 3e8; i++) s += i % 3;']);
  const spent = await read();
  // The child alone spins for well over the 10 ms tick of /proc's children's times.
  assert.ok(spent.engineUs > 10_000, `engine CPU ${spent.engineUs} µs`);
  assert.is(spent.brokerUs, undefined);
});

Cpu("should find the process listening on a port, and count that process's CPU as the broker's", async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    assert.is(await listeningProcess(port), process.pid);
    const read = await startCpuClock(process.pid);
    assert.ok(spin(3e7) > 0);
    assert.type((await read()).brokerUs, 'number');
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
