/**
 * `npm run soak:faults`: calls, casts and notifications driven without pause through faults:
 * connection cuts by a TCP proxy in front of the broker (every proxied connection destroyed,
 * new ones refused for a moment on every other cut), or with `--cluster`, each node of the
 * local cluster stopped in turn (`rabbitmqctl stop_app`, then `start_app`) with quorum queues.
 * Counts what was lost (a confirmed cast or notification never handled), duplicated (handled
 * twice), hung (a call or send that never settled) and failed, by error type, then checks
 * every client and server still works. Exits 1 on any loss, hang or a broken client.
 *
 *   npm run soak:faults                        # 100 cuts in front of the broker at AMQP_URL
 *   npm run soak:faults -- --cuts 10
 *   npm run soak:faults -- --cluster           # rxm1..3 stopped in turn (npm run cluster -- up first, or it is started)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { UsageError } from '../tools/simulator/options.js';
import { NotificationResult } from '../operators/notify/dispatch-notifications.js';
import { notificationListener } from '../lib/notify/listener.js';
import { notifier } from '../lib/notify/notifier.js';
import { rpcClient } from '../lib/rpc/client.js';
import { rpcServer } from '../lib/rpc/server.js';
import { hexId } from '../lib/core/ids.js';
import { target } from '../lib/core/target.js';
import { connect, type Transport } from '../lib/transport.js';
import { tcpProxy } from '../testing/tcp-proxy.js';
import { runCommand } from './cli.js';
import { CLUSTER_NODES, clusterUp, clusterUrl, ctl } from './cluster.js';

export interface FaultSoakOptions {
  /** Connection cuts through the proxy (ignored with `cluster`). */
  readonly cuts: number;
  /** Pause between cuts, in ms. */
  readonly cutEveryMs: number;
  /** Stop each cluster node in turn instead of cutting connections. */
  readonly cluster: boolean;
  /** How long each node stays stopped, in ms. */
  readonly nodeDownMs: number;
  /** The broker the proxy fronts (its first host), without `cluster`. */
  readonly url: string;
  /** Loops of each kind (calls, casts, notifications) running at once. */
  readonly concurrency: number;
  readonly callTimeoutMs: number;
  readonly log?: (line: string) => void;
}

interface Kind {
  /** Sends started. */
  sent: number;
  /** Calls answered with their own value; casts and notifications the broker confirmed. */
  confirmed: number;
  /** Confirmed casts and notifications never handled. */
  lost: number;
  /** Handled more than once. */
  duplicated: number;
  /** Never settled. */
  hung: number;
  /** Calls answered with another call's value. */
  wrong: number;
  failed: Record<string, number>;
}

export interface FaultSoakResult {
  readonly faults: string;
  readonly durationMs: number;
  readonly calls: Kind;
  readonly casts: Kind;
  readonly notifications: Kind;
  /** Every client and server answered once the faults were over. */
  readonly healthy: boolean;
  readonly healthProblem?: string;
}

const kind = (): Kind => ({ sent: 0, confirmed: 0, lost: 0, duplicated: 0, hung: 0, wrong: 0, failed: {} });
/** A send not settled this long after the call's own timeout has hung. */
const HANG_GRACE_MS = 15_000;
/** How long handled casts and notifications may lag behind their confirmations once the load stops. */
const DRAIN_MS = 20_000;

export async function faultSoak(options: FaultSoakOptions): Promise<FaultSoakResult> {
  const log = options.log ?? (() => undefined);
  const startedAt = Date.now();
  const topic = `soak_faults_${hexId().slice(0, 12)}`;
  const proxy = options.cluster ? undefined : await tcpProxy(...firstHost(options.url));
  // Quick reconnects; private queues left behind by a cut expire a minute later.
  const query = `rabbit_retry_interval=0.05&rabbit_retry_backoff=0.1&rabbit_interval_max=0.5&rabbit_transient_queues_ttl=60${options.cluster ? '&rabbit_quorum_queue=true' : ''}`;
  const url = options.cluster
    ? clusterUrl(query)
    : `${options.url
        .replace(/@([^:/?,]+)(:\d+)?/, `@127.0.0.1:${proxy!.port}`)
        .replace(/\?.*$/, '')
        .replace(/\/?$/, '/')}?${query}`;
  const servers = await connect(url);
  const callers = await connect(url);
  const calls = kind();
  const casts = kind();
  const notifications = kind();
  const handledCasts = new Map<number, number>();
  const handledNotifications = new Map<number, number>();
  const confirmedCasts = new Set<number>();
  const confirmedNotifications = new Set<number>();
  const handled = (seen: Map<number, number>, n: number) => seen.set(n, (seen.get(n) ?? 0) + 1);
  const fail = (of: Kind, error: unknown) => {
    const name = error instanceof Error ? error.name : typeof error;
    of.failed[name] = (of.failed[name] ?? 0) + 1;
  };
  const server = rpcServer(servers, target({ topic, server: 'soak' }), [{ echo: ({ n }: { n: number }) => n, note: ({ n }: { n: number }) => void handled(handledCasts, n) }]);
  const listener = notificationListener(
    servers,
    [target({ topic: `${topic}_notifications` })],
    [
      {
        info: (_context, _publisher, _type, payload) => {
          handled(handledNotifications, (payload as { n: number }).n);
          return NotificationResult.HANDLED;
        },
      },
    ],
  );
  let healthy = false;
  let healthProblem: string | undefined;
  /** Each health check's call, cast and notification carry a number of their own, below the load's. */
  let probe = 0;
  let faults = '';
  try {
    await server.start();
    await listener.start();
    const client = rpcClient(callers, target({ topic }), { timeout: options.callTimeoutMs });
    const publisher = notifier(callers, { publisherId: 'soak', topics: [`${topic}_notifications`], raiseOnError: true });

    let loading = true;
    let next = 0;
    /** Runs `send` (which counts its own failures), counting a settle that never comes as a hang. */
    const watched = async (of: Kind, send: () => Promise<void>) => {
      of.sent++;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const hung = new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, options.callTimeoutMs + HANG_GRACE_MS, true);
      });
      if (await Promise.race([send().then(() => false), hung])) of.hung++;
      clearTimeout(timer);
    };
    const loop = async (of: Kind, one: (n: number) => Promise<void>) => {
      while (loading) {
        const n = next++;
        await watched(of, () => one(n).catch((error: unknown) => fail(of, error)));
      }
    };
    const callOne = async (n: number) => {
      const value = await client.call('echo', { n });
      if (value === n) calls.confirmed++;
      else calls.wrong++;
    };
    const castOne = async (n: number) => {
      await client.cast('note', { n });
      confirmedCasts.add(n);
      casts.confirmed++;
    };
    const notifyOne = async (n: number) => {
      await publisher.info('soak.fault', { n });
      confirmedNotifications.add(n);
      notifications.confirmed++;
    };
    const loops = Array.from({ length: options.concurrency }, () => [loop(calls, callOne), loop(casts, castOne), loop(notifications, notifyOne)]).flat();

    if (proxy) {
      for (let cut = 1; cut <= options.cuts; cut++) {
        await sleep(options.cutEveryMs);
        proxy.cut();
        // Every other cut the broker is "down" for a moment: reconnects are refused.
        if (cut % 2 === 0) {
          proxy.refuse(true);
          await sleep(Math.min(200, options.cutEveryMs));
          proxy.refuse(false);
        }
        if (cut % 10 === 0) log(`${cut} cuts; ${calls.confirmed} calls answered, ${casts.confirmed} casts and ${notifications.confirmed} notifications confirmed`);
      }
      faults = `${options.cuts} connection cuts`;
    } else {
      for (const node of CLUSTER_NODES) {
        await sleep(options.nodeDownMs / 2);
        log(`stopping ${node}@localhost`);
        await ctl(node, 'stop_app');
        await sleep(options.nodeDownMs);
        log(`starting ${node}@localhost`);
        await ctl(node, 'start_app');
        log(`${node}@localhost back; ${calls.confirmed} calls answered, ${casts.confirmed} casts and ${notifications.confirmed} notifications confirmed`);
        const problem = await health(callers, topic, handledCasts, handledNotifications, publisher.info.bind(publisher), --probe);
        if (problem !== undefined) healthProblem ??= `once ${node}@localhost was back, ${problem}`;
      }
      faults = `${CLUSTER_NODES.length} node stops (quorum queues)`;
    }
    await sleep(1_000); // load on a settled link too
    loading = false;
    await Promise.all(loops);

    const drainUntil = Date.now() + DRAIN_MS;
    const missing = () => [...confirmedCasts].filter((n) => !handledCasts.has(n)).length + [...confirmedNotifications].filter((n) => !handledNotifications.has(n)).length;
    while (missing() > 0 && Date.now() < drainUntil) await sleep(100);
    casts.lost = [...confirmedCasts].filter((n) => !handledCasts.has(n)).length;
    notifications.lost = [...confirmedNotifications].filter((n) => !handledNotifications.has(n)).length;
    casts.duplicated = [...handledCasts.values()].filter((times) => times > 1).length;
    notifications.duplicated = [...handledNotifications.values()].filter((times) => times > 1).length;

    healthProblem ??= await health(callers, topic, handledCasts, handledNotifications, publisher.info.bind(publisher), --probe);
    healthy = healthProblem === undefined;
  } finally {
    await Promise.allSettled([server.stop(), listener.stop()]);
    await Promise.allSettled([callers.close(), servers.close()]);
    await proxy?.close();
  }
  return { faults, durationMs: Date.now() - startedAt, calls, casts, notifications, healthy, ...(healthProblem !== undefined && { healthProblem }) };
}

/** A call, a cast and a notification each go through: nothing stayed broken. Undefined when they did, else what went wrong. */
async function health(
  callers: Transport,
  topic: string,
  casts: Map<number, number>,
  notifications: Map<number, number>,
  notify: (type: string, payload: unknown) => Promise<void>,
  probe: number,
): Promise<string | undefined> {
  const client = rpcClient(callers, target({ topic }), { timeout: 10_000 });
  try {
    if ((await client.call('echo', { n: probe })) !== probe) return 'a call got another answer';
    await client.cast('note', { n: probe });
    await notify('soak.fault', { n: probe });
  } catch (error) {
    return `a probe failed: ${(error as Error).name}: ${(error as Error).message}`;
  }
  const until = Date.now() + 10_000;
  while (!(casts.has(probe) && notifications.has(probe)) && Date.now() < until) await sleep(50);
  return casts.has(probe) && notifications.has(probe) ? undefined : 'a probe cast or notification was not handled within 10 s';
}

function firstHost(url: string): [string, number] {
  const match = /@([^:/?,]+)(?::(\d+))?/.exec(url) ?? /:\/\/([^:/?,]+)(?::(\d+))?/.exec(url);
  return [match?.[1] ?? '127.0.0.1', Number(match?.[2] ?? 5672)];
}

/** One line per kind, and the verdict. */
export function describeFaultSoak(result: FaultSoakResult): string {
  const line = (name: string, of: Kind) => {
    const failed =
      Object.entries(of.failed)
        .map(([type, count]) => `${type} ${count}`)
        .join(', ') || 'none';
    return `${name.padEnd(14)} sent ${of.sent}, ok ${of.confirmed}, lost ${of.lost}, duplicated ${of.duplicated}, hung ${of.hung}${of.wrong ? `, wrong answer ${of.wrong}` : ''}, failed: ${failed}`;
  };
  return [
    `fault soak: ${result.faults} in ${(result.durationMs / 1000).toFixed(1)} s`,
    line('calls', result.calls),
    line('casts', result.casts),
    line('notifications', result.notifications),
    `afterwards: ${result.healthy ? 'every client and server works' : `BROKEN (${result.healthProblem})`}`,
  ].join('\n');
}

/** Nothing lost, hung or wrong, and everything works afterwards. */
export function faultSoakPassed(result: FaultSoakResult): boolean {
  const kinds = [result.calls, result.casts, result.notifications];
  return result.healthy && kinds.every((of) => of.lost === 0 && of.hung === 0 && of.wrong === 0);
}

const USAGE = `usage: npm run soak:faults -- [--cuts N] [--cut-every MS] [--cluster] [--node-down MS] [--concurrency N] [--url URL]

  --cuts N          connection cuts through the TCP proxy (default 100)
  --cut-every MS    pause between cuts (default 200)
  --cluster         stop each node of the local cluster (rxm1..3) in turn instead, with quorum queues
  --node-down MS    how long each node stays stopped (default 4000)
  --concurrency N   loops of calls, of casts and of notifications each (default 4)
  --url URL         the broker the proxy fronts (default AMQP_URL or amqp://guest:guest@127.0.0.1:5672)
Exits 1 when a confirmed message was lost, a call or send hung, or a client stayed broken.
`;

function parseFaultArgs(argv: readonly string[]): FaultSoakOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      cuts: { type: 'string', default: '100' },
      'cut-every': { type: 'string', default: '200' },
      cluster: { type: 'boolean', default: false },
      'node-down': { type: 'string', default: '4000' },
      concurrency: { type: 'string', default: '4' },
      url: { type: 'string', default: process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672' },
    },
    strict: true,
  });
  const count = (name: string, value: string, min: number) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${value}`);
    return n;
  };
  return {
    cuts: count('cuts', values.cuts, 1),
    cutEveryMs: count('cut-every', values['cut-every'], 10),
    cluster: values.cluster,
    nodeDownMs: count('node-down', values['node-down'], 100),
    concurrency: count('concurrency', values.concurrency, 1),
    url: values.url,
    callTimeoutMs: 10_000,
  };
}

async function main(options: FaultSoakOptions): Promise<void> {
  if (options.cluster) {
    const reason = await clusterUp();
    if (reason) {
      process.stderr.write(`soak:faults: ${reason}\n`);
      process.exitCode = 1;
      return;
    }
  }
  const result = await faultSoak({ ...options, log: (line) => process.stderr.write(`  ${line}\n`) });
  process.stdout.write(`${describeFaultSoak(result)}\n`);
  process.exitCode = faultSoakPassed(result) ? 0 : 1;
}

if (process.argv[1] === new URL(import.meta.url).pathname) await runCommand('npm run soak:faults', USAGE, parseFaultArgs, main);
