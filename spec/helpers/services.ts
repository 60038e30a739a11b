/**
 * The outside services some suites need: RabbitMQ at `AMQP_URL` (default
 * amqp://guest:guest@127.0.0.1:5672), `/usr/bin/python3` able to import oslo_messaging, and a
 * Redis answering at `REDIS_HOST`:`REDIS_PORT` (default 127.0.0.1:6379; use keys under a prefix of
 * the suite's own there, never anything else). A Sentinel is started on demand (`startSentinel`).
 * Each is checked once per process. When one is missing and CI=true or RXM_ENSURE_SERVICES=1,
 * scripts/ensure-services.sh is run to install and start it. A suite whose services are still
 * missing registers every test as skipped and prints why: never a silent pass.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'amqplib';
import { suite, type Test } from 'uvu';
import { redisMissing } from '../../bench/redis.js';

export type Service = 'rabbitmq' | 'oslo' | 'redis';

export const PYTHON = '/usr/bin/python3';

/** The broker the specs use. */
export function amqpUrl(): string {
  return process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';
}

/**
 * The path naming the spec broker's vhost: AMQP_URL's own (`amqp://…/myvhost` gives `/myvhost`),
 * or `/` (the default vhost) when it names none, so every suite can run on a vhost of one's own.
 */
export function vhostPath(): string {
  return /^[a-z]+:\/\/[^/?]*(\/[^?]*)?/.exec(amqpUrl())?.[1] || '/';
}

/** The vhost itself, as rabbitmqctl's `-p` takes it. */
export function vhostName(): string {
  return decodeURIComponent(vhostPath().slice(1)) || '/';
}

/** The spec broker's URL on its vhost, with `query` options added. */
export function amqpUrlWith(query = ''): string {
  const origin = /^[a-z]+:\/\/[^/?]*/.exec(amqpUrl())?.[0] ?? amqpUrl();
  return `${origin}${vhostPath()}${query ? `?${query}` : ''}`;
}

/** The same broker as an oslo.messaging transport URL (oslo's `amqp://` is its AMQP 1.0 driver). */
export function osloUrl(): string {
  return amqpUrl()
    .replace(/^amqps?:\/\//, 'rabbit://')
    .replace(/^(rabbit:\/\/[^/?]*)$/, '$1/');
}

/** The repository root, found from this file whether it runs from spec/ or dist/spec/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'rx-messaging') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the rx-messaging package root above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/**
 * Deletes the broker's queues whose names start with `prefix`, so a suite leaves nothing behind
 * on a shared broker (oslo's topic and server queues are not auto-delete). Listing queues needs
 * rabbitmqctl on this machine; without it the queues stay, and the reason is printed.
 */
export async function deleteQueuesStartingWith(prefix: string): Promise<void> {
  const listing = spawnSync('rabbitmqctl', ['-q', '--no-table-headers', 'list_queues', '-p', vhostName(), 'name'], { encoding: 'utf8' });
  if (listing.error || listing.status !== 0) {
    console.log(`  (queues starting with ${prefix} left on the broker: rabbitmqctl list_queues failed: ${listing.error?.message ?? listing.stderr.trim()})`);
    return;
  }
  const names = listing.stdout.split('\n').filter((name) => name.startsWith(prefix));
  if (!names.length) return;
  const connection = await connect(amqpUrl());
  try {
    const channel = await connection.createChannel();
    for (const name of names) await channel.deleteQueue(name);
    await channel.close();
  } finally {
    await connection.close();
  }
}

async function brokerMissing(): Promise<string | undefined> {
  try {
    const connection = await connect(amqpUrl(), { timeout: 5_000 });
    await connection.close();
    return undefined;
  } catch (error) {
    return `RabbitMQ is not reachable at ${amqpUrl().replace(/\/\/[^@/]*@/, '//')}: ${(error as Error).message}`;
  }
}

function osloMissing(): string | undefined {
  const result = spawnSync(PYTHON, ['-c', 'import oslo_messaging'], { encoding: 'utf8' });
  if (result.error) return `${PYTHON} cannot run: ${result.error.message}`;
  if (result.status !== 0) return `${PYTHON} cannot import oslo_messaging (apt-get install python3-oslo.messaging): ${result.stderr.trim().split('\n').at(-1) ?? ''}`;
  return undefined;
}

/** The Redis the specs use. */
export function redisAddress(): { readonly host: string; readonly port: number } {
  return { host: process.env['REDIS_HOST'] ?? '127.0.0.1', port: Number(process.env['REDIS_PORT'] ?? 6379) };
}

/** Why no Redis answers at `redisAddress()`, or undefined when one does (checked once, with the other services). */
export async function redisAvailable(): Promise<string | undefined> {
  return (await servicesStatus()).redis;
}

async function missing(): Promise<Record<Service, string | undefined>> {
  const { host, port } = redisAddress();
  return { rabbitmq: await brokerMissing(), oslo: osloMissing(), redis: await redisMissing(host, port) };
}

let checked: Promise<Record<Service, string | undefined>> | undefined;

/** What is missing of each service, after running ensure-services.sh once where that is allowed. */
export function servicesStatus(): Promise<Record<Service, string | undefined>> {
  checked ??= (async () => {
    const first = await missing();
    const wanted = process.env['CI'] === 'true' || process.env['RXM_ENSURE_SERVICES'] === '1';
    if (!wanted || (!first.rabbitmq && !first.oslo && !first.redis)) return first;
    const script = join(packageRoot(), 'scripts', 'ensure-services.sh');
    console.log(`services: running ${script}`);
    const { host, port } = redisAddress();
    const run = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, AMQP_URL: amqpUrl(), REDIS_HOST: host, REDIS_PORT: String(port) } });
    if (run.status !== 0) console.log(`services: ${script} exited with ${run.status ?? run.signal}`);
    return missing();
  })();
  return checked;
}

/** Why Redis at `REDIS_URL` (default redis://127.0.0.1:6379) cannot be used, or undefined when it answers. */
export async function redisUnavailable(): Promise<string | undefined> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl(), { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 3_000 });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return `Redis is not reachable at ${redisUrl()}: ${(error as Error).message}`;
  } finally {
    redis.disconnect();
  }
}

export function redisUrl(): string {
  return process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
}

/** Why `needs` cannot be met, or undefined when every service is there. */
export async function unavailable(needs: readonly Service[]): Promise<string | undefined> {
  const status = await servicesStatus();
  const reasons = needs.map((need) => status[need]).filter((reason): reason is string => reason !== undefined);
  return reasons.length ? reasons.join('; ') : undefined;
}

/**
 * A uvu suite for tests that need `needs`. When a service is missing, the reason is printed and
 * every test registered on it is skipped (uvu counts them as skipped).
 */
export async function serviceSuite<T extends object = Record<string, never>>(name: string, needs: readonly Service[], context?: T): Promise<Test<T>> {
  const reason = await unavailable(needs);
  return reason === undefined ? suite<T>(name, context) : skippedSuite(name, reason, context);
}

/** A uvu suite that prints `reason` and registers every test as skipped; its hooks do nothing. */
export function skippedSuite<T extends object = Record<string, never>>(name: string, reason: string, context?: T): Test<T> {
  const test = suite<T>(name, context);
  console.log(`SKIPPED ${name}: ${reason}`);
  const hook = Object.assign(() => undefined, { each: () => undefined });
  return Object.assign((title: string) => test.skip(title), { only: (title: string) => test.skip(title), skip: test.skip, before: hook, after: hook, run: test.run });
}

/** A Sentinel started by scripts/redis-sentinel.sh: a master, its replica and one sentinel, on ports of their own. */
export interface Sentinel {
  readonly host: string;
  /** The sentinel's port. */
  readonly port: number;
  /** The master's name the sentinel monitors. */
  readonly masterName: string;
  readonly masterPort: number;
  readonly replicaPort: number;
  /** Its data folder (pid files, logs, the sentinel's conf). */
  readonly dir: string;
  /** Stops the three processes it started and removes their data. */
  down(): void;
}

/**
 * Starts a local Sentinel (scripts/redis-sentinel.sh up; about a second), or says why it cannot:
 * give the reason to `skippedSuite`. `RXM_SENTINEL_*` variables move its ports and folder; `env`
 * sets them for this one (its `up` and its `down`), so a spec can run a Sentinel of its own.
 */
export function startSentinel(env: Readonly<Record<string, string>> = {}): Sentinel | string {
  const script = join(packageRoot(), 'scripts', 'redis-sentinel.sh');
  const scriptEnv = { ...process.env, ...env };
  const up = spawnSync('bash', [script, 'up'], { encoding: 'utf8', env: scriptEnv });
  if (up.error || up.status !== 0) return `a local Redis Sentinel cannot start: ${up.error?.message ?? up.stderr.trim().split('\n').at(-1) ?? `exit code ${up.status}`}`;
  const settings = Object.fromEntries(
    up.stdout
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    host: settings['SENTINEL_HOST'] ?? '127.0.0.1',
    port: Number(settings['SENTINEL_PORT']),
    masterName: settings['SENTINEL_MASTER'] ?? '',
    masterPort: Number(settings['SENTINEL_MASTER_PORT']),
    replicaPort: Number(settings['SENTINEL_REPLICA_PORT']),
    dir: settings['SENTINEL_DIR'] ?? '',
    down: () => {
      spawnSync('bash', [script, 'down'], { stdio: 'ignore', env: scriptEnv });
    },
  };
}
