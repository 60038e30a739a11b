import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { command } from '../../bench/plan.js';
import { runProcesses } from '../../bench/processes.js';
import type { Engine } from '../../bench/scenarios.js';
import { deleteQueuesStartingWith, osloUrl, serviceSuite } from '../helpers/services.js';

const TIMEOUTS = { readyMs: 30_000, clientMs: 60_000, drainMs: 30_000 };
/** This process's topics, removed from the broker when the suites end. */
const TOPIC_PREFIX = `harness_spec_${process.pid}_`;

/** One engine's server and client (or two engines'), as the bench runs them, with a small fixed load. */
async function exchange(engines: Engine | { server: Engine; client: Engine }, server: string[], client: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'rxm-harness-spec-'));
  try {
    const { server: serverEngine, client: clientEngine } = typeof engines === 'string' ? { server: engines, client: engines } : engines;
    const topic = `${TOPIC_PREFIX}${serverEngine.replaceAll('-', '_')}_${clientEngine.replaceAll('-', '_')}`;
    const common = ['--url', osloUrl(), '--topic', topic];
    const reports = { server: join(dir, 'server.json'), client: join(dir, 'client.json') };
    const serving = command(serverEngine);
    const calling = command(clientEngine);
    return await runProcesses(
      { file: serving.file, args: [...serving.args, ...server, ...common, '--json', reports.server] },
      { file: calling.file, args: [...calling.args, ...client, ...common, '--sync', '--json', reports.client] },
      reports,
      TIMEOUTS,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const Raw = await serviceSuite('the plain amqplib harness', ['rabbitmq']);

Raw('should answer every call of every caller', async () => {
  const { server, client } = await exchange('amqplib', ['rpc-server', '--server', 's1'], ['rpc-client', '--server', 's1', '-p', '3', '-m', '20']);
  assert.is(client.summary.messages, 60);
  assert.is(client.summary.errors, 0);
  assert.is(server.summary.messages, 60);
  assert.is(client.tool, 'amqplib harness');
});

Raw('should deliver every cast, fanout cast and notification, with and without confirms', async () => {
  for (const [engine, server, client] of [
    ['amqplib', ['rpc-server', '--server', 's1'], ['rpc-client', '--server', 's1', '--mode', 'cast', '-p', '5', '-m', '40']],
    ['amqplib-confirm', ['rpc-server', '--server', 's1'], ['rpc-client', '--server', 's1', '--mode', 'cast', '-p', '5', '-m', '40']],
    ['amqplib', ['rpc-server', '--server', 's1'], ['rpc-client', '--mode', 'fanout', '--sync-mode', 'fanout', '-p', '5', '-m', '40']],
    ['amqplib', ['notify-server'], ['notify-client', '-p', '5', '-m', '40']],
  ] as const) {
    const reports = await exchange(engine, [...server], [...client]);
    assert.is(reports.server.summary.messages, 200, `${engine} ${client.join(' ')}`);
  }
});

Raw("should speak oslo's wire format with --oslo-wire: rx-messaging's client and server talk to it both ways", async () => {
  const call = ['rpc-client', '--server', 's1', '-p', '3', '-m', '10'];
  for (const engines of [
    { server: 'amqplib-oslo', client: 'amqplib-oslo' },
    { server: 'amqplib-oslo', client: 'rx' },
    { server: 'rx', client: 'amqplib-oslo' },
  ] as const) {
    const { server, client } = await exchange(engines, ['rpc-server', '--server', 's1'], call);
    const which = `${engines.client} calling ${engines.server}`;
    assert.is(client.summary.messages, 30, which);
    assert.is(client.summary.errors, 0, which);
    assert.is(server.summary.messages, 30, which);
  }
});

Raw("should send and read oslo's casts and notifications with --oslo-wire, to and from rx-messaging", async () => {
  for (const engines of [
    { server: 'amqplib-oslo', client: 'amqplib-oslo' },
    { server: 'amqplib-oslo', client: 'rx' },
    { server: 'rx', client: 'amqplib-oslo' },
  ] as const) {
    const casts = await exchange(engines, ['rpc-server', '--server', 's1'], ['rpc-client', '--server', 's1', '--mode', 'cast', '-p', '3', '-m', '10']);
    assert.is(casts.server.summary.messages, 30, `${engines.client} casting to ${engines.server}`);
    const notifications = await exchange(engines, ['notify-server'], ['notify-client', '-p', '3', '-m', '10']);
    assert.is(notifications.server.summary.messages, 30, `${engines.client} notifying ${engines.server}`);
    assert.is(notifications.server.summary.errors, 0, `${engines.client} notifying ${engines.server}`);
  }
});

Raw.after(() => deleteQueuesStartingWith(TOPIC_PREFIX));

Raw.run();

const Oslo = await serviceSuite('the Python oslo.messaging harness', ['rabbitmq', 'oslo']);

Oslo('should answer every call and receive every notification, writing the same report as rxm simulator', async () => {
  const calls = await exchange('oslo', ['rpc-server', '--server', 's1'], ['rpc-client', '--server', 's1', '-p', '2', '-m', '10']);
  assert.is(calls.client.summary.messages, 20);
  assert.is(calls.client.summary.errors, 0);
  assert.is(calls.server.summary.messages, 20);
  assert.is(calls.client.tool, 'oslo.messaging harness');
  assert.ok(calls.client.summary.p99_ms >= calls.client.summary.p50_ms && calls.client.summary.p50_ms > 0);
  assert.is(calls.client.series[0]!.second, 0);
  const notifications = await exchange('oslo', ['notify-server'], ['notify-client', '-m', '15']);
  assert.is(notifications.server.summary.messages, 15);
});

Oslo.after(() => deleteQueuesStartingWith(TOPIC_PREFIX));

Oslo.run();
