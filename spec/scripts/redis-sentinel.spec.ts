import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redisCommand } from '../../bench/redis.js';
import { packageRoot, redisAddress, redisAvailable, serviceSuite, skippedSuite, startSentinel } from '../helpers/services.js';

const SCRIPT = join(packageRoot(), 'scripts', 'redis-sentinel.sh');

/** Whether a process runs (signal 0 checks without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sentinel = startSentinel();
const Sentinel = typeof sentinel === 'string' ? skippedSuite('scripts/redis-sentinel.sh', sentinel) : suite('scripts/redis-sentinel.sh');

Sentinel('should run a sentinel that names its master, with the replica it needs for a failover', async () => {
  const started = sentinel as Exclude<typeof sentinel, string>;
  const address = await redisCommand(started.host, started.port, ['SENTINEL', 'get-master-addr-by-name', started.masterName]);
  assert.match(address, new RegExp(`^\\*2\\r\\n\\$\\d+\\r\\n127\\.0\\.0\\.1\\r\\n\\$\\d+\\r\\n${started.masterPort}\\r\\n$`));
  const replication = await redisCommand(started.host, started.replicaPort, ['INFO', 'replication']);
  assert.match(replication, /role:slave/);
  assert.match(replication, new RegExp(`master_port:${started.masterPort}`));
});

Sentinel('should be idempotent: a second up keeps the running nodes and prints the same settings', () => {
  const started = sentinel as Exclude<typeof sentinel, string>;
  const pid = readFileSync(join(started.dir, 'master', 'redis.pid'), 'utf8').trim();
  const again = spawnSync('bash', [SCRIPT, 'up'], { encoding: 'utf8' });
  assert.is(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`SENTINEL_PORT=${started.port}`));
  assert.is(readFileSync(join(started.dir, 'master', 'redis.pid'), 'utf8').trim(), pid);
});

Sentinel('should stop exactly the processes it started on down, and remove their data', () => {
  const started = sentinel as Exclude<typeof sentinel, string>;
  const pids = ['master', 'replica', 'sentinel'].map((node) => Number(readFileSync(join(started.dir, node, 'redis.pid'), 'utf8')));
  assert.ok(pids.every(alive));
  started.down();
  assert.ok(
    pids.every((pid) => !alive(pid)),
    'every node stopped',
  );
  assert.not.ok(existsSync(started.dir), 'the data folder is gone');
  const status = spawnSync('bash', [SCRIPT, 'status'], { encoding: 'utf8' });
  assert.match(status.stdout, /master: not running\nreplica: not running\nsentinel: not running/);
});

Sentinel.after(() => {
  if (typeof sentinel !== 'string') sentinel.down();
});

Sentinel.run();

const Script = suite('scripts/redis-sentinel.sh: its command line');

Script('should refuse anything but up, down and status with exit code 2', () => {
  const run = spawnSync('bash', [SCRIPT, 'sideways'], { encoding: 'utf8' });
  assert.is(run.status, 2);
  assert.match(run.stderr, /usage: .* up\|down\|status/);
});

Script.run();

const Redis = await serviceSuite('redisAvailable()', ['redis']);

Redis('should find the Redis the specs use answering PING', async () => {
  assert.is(await redisAvailable(), undefined);
  const { host, port } = redisAddress();
  assert.is(await redisCommand(host, port, ['PING']), '+PONG\r\n');
});

Redis.run();
