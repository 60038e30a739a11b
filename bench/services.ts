/**
 * What the benchmark needs outside Node, checked once before running: a RabbitMQ broker, the
 * Python oslo.messaging peer, rx-messaging's RabbitMQ driver (and its MessagePack option), the
 * packages of NestJS and Moleculer (peers.ts). A
 * missing one turns its rows into "skipped: why", never into a failure or a silent gap.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { connect as amqpConnect } from 'amqplib';
import { redactUrl } from '../lib/core/redact.js';
import { connect } from '../lib/transport.js';
import { amqpUrl } from './amqplib/connection.js';
import { PEER_PACKAGE, PEERS, peerMissing } from './peers.js';
import { fromRoot, MSGPACK_QUERY, SERVER } from './plan.js';
import { ENGINES, type Engine } from './scenarios.js';

export interface Services {
  /** Why each engine cannot run on RabbitMQ; absent when it can. */
  readonly unavailable: Partial<Record<Engine, string>>;
  /** e.g. "RabbitMQ 3.10.8", "oslo.messaging 14.0.3". */
  readonly versions: Readonly<Record<string, string>>;
}

export async function checkServices(url: string): Promise<Services> {
  const unavailable: Partial<Record<Engine, string>> = {};
  const versions: Record<string, string> = {};
  try {
    const connection = await amqpConnect(amqpUrl(url));
    const properties = connection.connection.serverProperties;
    versions['broker'] = `${properties.product ?? 'AMQP broker'} ${properties.version ?? ''}`.trim();
    await connection.close();
  } catch (error) {
    const reason = `no RabbitMQ at ${redactUrl(url)} (${(error as Error).message}); start one (npm run services)`;
    for (const engine of ENGINES) unavailable[engine] = reason;
    return { unavailable, versions };
  }
  try {
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', 'from importlib.metadata import version; print(version("oslo.messaging"))']);
    versions['oslo.messaging'] = stdout.trim();
  } catch (error) {
    unavailable.oslo = `/usr/bin/python3 cannot import oslo.messaging (${(error as Error).message.split('\n')[0]}); apt-get install python3-oslo.messaging`;
  }
  const driverReason = await transportFails(url);
  if (driverReason) unavailable.rx = `rx-messaging's RabbitMQ driver does not connect: ${driverReason}`;
  const msgpackReason = driverReason ?? (await transportFails(`${url}${url.includes('?') ? '&' : '?'}${MSGPACK_QUERY}`));
  if (msgpackReason) unavailable['rx-msgpack'] = `rx-messaging's RabbitMQ driver has no MessagePack option yet: ${msgpackReason}`;
  for (const peer of PEERS) {
    const reason = await peerMissing(peer);
    if (reason) unavailable[peer] = reason;
    else versions[PEER_PACKAGE[peer]] = await installedVersion(PEER_PACKAGE[peer]);
  }
  return { unavailable, versions };
}

/** The version of an installed package, as its package.json says. */
async function installedVersion(name: string): Promise<string> {
  return (JSON.parse(await readFile(fromRoot(`node_modules/${name}/package.json`), 'utf8')) as { version: string }).version;
}

async function transportFails(url: string): Promise<string | undefined> {
  try {
    const transport = await connect(url);
    await transport.close();
    return undefined;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Deletes the queues a scenario's topic uses, so no message of an earlier (or aborted) run is counted. */
export async function deleteQueues(url: string, topic: string): Promise<void> {
  const connection = await amqpConnect(amqpUrl(url));
  try {
    for (const queue of [topic, `${topic}.${SERVER}`, `${topic}.info`]) {
      // A failed delete closes its channel: one channel each.
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      await channel.deleteQueue(queue).catch(() => undefined);
      await channel.close().catch(() => undefined);
    }
  } finally {
    await connection.close();
  }
}
