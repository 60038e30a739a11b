import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { comparePeers, type Peer, PEERS, peerMissing } from '../../bench/peers.js';
import { command } from '../../bench/plan.js';
import { runProcesses } from '../../bench/processes.js';
import type { Result } from '../../bench/result.js';
import { formatPeers } from '../../bench/table.js';
import { checkPeerTargets, formatTargets } from '../../bench/targets.js';
import { deleteQueuesStartingWith, osloUrl, serviceSuite, skippedSuite } from '../helpers/services.js';

function row(fields: Partial<Result> & Pick<Result, 'engine' | 'kind' | 'concurrency'>): Result {
  return { scenario: `rabbit-${fields.kind}-p${fields.concurrency}-100b`, broker: 'rabbit', size: 100, ...fields };
}

/** rx-messaging, NestJS and Moleculer at every scenario of the targets. */
function run(rx: number, nestjs: number, moleculer: number, cast = { rx: 20_000, nestjs: 10_000, moleculer: 40_000 }): Result[] {
  return [
    ...[1, 5, 50].flatMap((concurrency) => [
      row({ kind: 'call', concurrency, engine: 'rx', msg_per_s: rx }),
      row({ kind: 'call', concurrency, engine: 'nestjs', msg_per_s: nestjs }),
      row({ kind: 'call', concurrency, engine: 'moleculer', msg_per_s: moleculer }),
    ]),
    row({ kind: 'cast', concurrency: 50, engine: 'rx', msg_per_s: cast.rx }),
    row({ kind: 'cast', concurrency: 50, engine: 'nestjs', msg_per_s: cast.nestjs }),
    row({ kind: 'cast', concurrency: 50, engine: 'moleculer', msg_per_s: cast.moleculer }),
    row({ kind: 'cast', concurrency: 50, engine: 'amqplib', msg_per_s: 25_000 }),
  ];
}

const Compare = suite('rx-messaging against NestJS and Moleculer');

Compare('should compare calls with the faster peer, 1.1 times over', () => {
  const met = checkPeerTargets(run(5500, 5000, 4000));
  assert.is(met.length, 4);
  assert.ok(
    met.slice(0, 3).every((c) => c.met === true),
    formatTargets(met),
  );
  assert.match(met[0]!.measured, /^1\.1 x NestJS \(rx-messaging 5,500\/s, NestJS 5,000\/s, Moleculer 4,000\/s\)/);
  const missed = checkPeerTargets(run(5499, 4000, 5000));
  assert.ok(
    missed.slice(0, 3).every((c) => c.met === false),
    formatTargets(missed),
  );
  assert.match(missed[0]!.measured, /x Moleculer/);
});

Compare("should hold casts to NestJS's confirmed emit, and print Moleculer's unconfirmed emit beside it without counting it", () => {
  const cast = checkPeerTargets(run(1, 1, 1, { rx: 12_000, nestjs: 10_000, moleculer: 40_000 }))[3]!;
  assert.is(cast.met, true, 'Moleculer, faster without confirms, does not decide the target');
  assert.match(
    cast.measured,
    /^1\.2 x \(rx-messaging 12,000\/s, NestJS 10,000\/s; 0\.48 x plain amqplib\); Moleculer emit, awaiting no confirm, not comparable: 0\.3 x \(rx-messaging 12,000\/s, Moleculer 40,000\/s\)$/,
  );
  const [comparison] = comparePeers(run(1, 1, 1, { rx: 12_000, nestjs: 10_000, moleculer: 40_000 })).filter((c) => c.scenario.includes('cast'));
  assert.is(comparison!.fastest, 'nestjs');
  assert.equal(comparison!.comparable, ['nestjs']);
  const table = formatPeers(comparePeers(run(1, 1, 1)));
  assert.match(table, /0\.50 \*/);
  assert.match(table, /\* Moleculer's emit awaits no publisher confirm: not comparable/);
});

Compare('should call a target with a skipped peer not measured, naming why, never met on the other peer alone', () => {
  const results = run(9000, 5000, 4000).map((r) => (r.engine === 'moleculer' ? { ...r, msg_per_s: undefined, skipped: 'moleculer is not installed' } : r));
  const checks = checkPeerTargets(results);
  assert.ok(
    checks.slice(0, 3).every((c) => c.met === undefined && c.measured === 'not measured (moleculer skipped: moleculer is not installed)'),
    formatTargets(checks),
  );
  assert.is(checks[3]!.met, true, "the cast target needs NestJS's emit alone");
  assert.match(formatPeers(comparePeers(results)), /rabbit call p1 100 B: moleculer skipped: moleculer is not installed/);
  assert.ok(checkPeerTargets([]).every((c) => c.met === undefined && c.measured === 'not measured'));
});

Compare('should report a peer whose package does not load as missing, with the package and the reason', async () => {
  const reason = await peerMissing('moleculer', () => Promise.reject(new Error("Cannot find package 'moleculer'")));
  assert.match(reason!, /^moleculer is not installed \(Cannot find package 'moleculer'\)/);
  assert.is(await peerMissing('moleculer', () => Promise.resolve({})), undefined);
});

Compare.run();

const TIMEOUTS = { readyMs: 30_000, clientMs: 60_000, drainMs: 30_000 };
/** This process's topics; Moleculer's queues are `MOL-<topic>.…`. */
const TOPIC_PREFIX = `peers_spec_${process.pid}_`;

/** A peer's server and client as the bench runs them in processes, with a small fixed load. */
async function exchange(peer: Peer, mode: 'call' | 'cast') {
  const dir = await mkdtemp(join(tmpdir(), 'rxm-peers-spec-'));
  try {
    const common = ['--url', osloUrl(), '--topic', `${TOPIC_PREFIX}${peer}_${mode}`];
    const reports = { server: join(dir, 'server.json'), client: join(dir, 'client.json') };
    const { file, args } = command(peer);
    return await runProcesses(
      { file, args: [...args, 'rpc-server', '--server', 's1', '--clients', '1', ...common, '--json', reports.server] },
      { file, args: [...args, 'rpc-client', '--server', 's1', '--mode', mode, '-p', '3', '-m', '10', ...common, '--sync', '--json', reports.client] },
      reports,
      TIMEOUTS,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const peer of PEERS) {
  const name = `the ${peer} engine on RabbitMQ`;
  const missing = await peerMissing(peer);
  const Peer = missing ? skippedSuite(name, missing) : await serviceSuite(name, ['rabbitmq']);

  Peer('should answer every call of every caller', async () => {
    const { server, client } = await exchange(peer, 'call');
    assert.is(client.summary.messages, 30);
    assert.is(client.summary.errors, 0);
    assert.is(server.summary.messages, 30);
    assert.is(client.tool, `${peer} harness`);
  });

  Peer('should receive every cast, the sync last', async () => {
    const { server, client } = await exchange(peer, 'cast');
    assert.is(client.summary.messages, 30);
    assert.is(server.summary.messages, 30);
    assert.is(server.summary.errors, 0);
  });

  Peer.after(async () => {
    await deleteQueuesStartingWith(TOPIC_PREFIX);
    await deleteQueuesStartingWith(`MOL-${TOPIC_PREFIX}`);
  });

  Peer.run();
}
