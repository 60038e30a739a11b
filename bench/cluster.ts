/**
 * The local three-node cluster of scripts/cluster.sh (`npm run cluster -- up`), as the fault soak
 * and the cluster specs drive it: bring it up, stop and start a node's RabbitMQ application,
 * find the node a queue lives on. Every command names one of rxm1-3@localhost only.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fromRoot } from './plan.js';

const run = promisify(execFile);

export const CLUSTER_NODES = ['rxm1', 'rxm2', 'rxm3'] as const;
export type ClusterNode = (typeof CLUSTER_NODES)[number];

/** The cluster's URL, every node in it, with `query` (e.g. rabbit_quorum_queue=true). */
export function clusterUrl(query = ''): string {
  const hosts = CLUSTER_NODES.map((_node, i) => `guest:guest@127.0.0.1:${5681 + i}`).join(',');
  return `rabbit://${hosts}/${query ? `?${query}` : ''}`;
}

async function script(...args: string[]): Promise<string> {
  const { stdout } = await run('bash', [fromRoot('scripts/cluster.sh'), ...args], { timeout: 300_000, maxBuffer: 4 << 20 });
  return stdout;
}

/** Whether the three nodes run, joined. */
export async function clusterRunning(): Promise<boolean> {
  try {
    await script('status');
    return true;
  } catch {
    return false;
  }
}

/** Starts the cluster unless it runs; resolves with why it cannot, or undefined once it is up. */
export async function clusterUp(): Promise<string | undefined> {
  try {
    await script('up');
    return undefined;
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    return `the local RabbitMQ cluster (npm run cluster -- up) cannot start: ${(stderr || message).trim().split('\n').slice(-3).join(' ')}`;
  }
}

/** Stops the three nodes and removes their data. */
export async function clusterDown(): Promise<void> {
  await script('down');
}

/** rabbitmqctl on `node`, e.g. `ctl('rxm2', 'stop_app')`. */
export function ctl(node: ClusterNode, ...args: string[]): Promise<string> {
  return script('ctl', node, ...args);
}

/** The node holding `queue` (a classic queue's process, a quorum queue's leader), if it exists. */
export async function queueNode(queue: string): Promise<ClusterNode | undefined> {
  for (const node of CLUSTER_NODES) {
    let listed: string;
    try {
      listed = await ctl(node, 'list_queues', 'name', 'pid', 'leader', '--no-table-headers');
    } catch {
      continue; // that node is down: ask the next
    }
    for (const line of listed.split('\n')) {
      const [name, pid, leader] = line.split('\t');
      if (name !== queue) continue;
      const where = /(rxm[123])@/.exec(`${leader ?? ''} ${pid ?? ''}`)?.[1];
      return where as ClusterNode | undefined;
    }
    return undefined;
  }
  return undefined;
}
