/**
 * What the benchmark needs outside Node, checked once before running: a RabbitMQ broker, the
 * Python oslo.messaging peer, rx-messaging's RabbitMQ driver (and its MessagePack option), the
 * packages of NestJS and Moleculer (peers.ts); for the ZeroMQ rows, the zeromq package, a Redis
 * server and rx-messaging's ZeroMQ driver. A
 * missing one turns its rows into "skipped: why", never into a failure or a silent gap.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { connect as amqpConnect } from 'amqplib';
import { redactUrl } from '../lib/core/redact.js';
import { parseTransportUrl } from '../lib/core/url.js';
import { connect } from '../lib/transport.js';
import { amqpUrl } from './amqplib/connection.js';
import { PEER_PACKAGE, PEERS, peerMissing } from './peers.js';
import { fromRoot, MSGPACK_QUERY, SERVER } from './plan.js';
import { redisMissing } from './redis.js';
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
    for (const engine of ENGINES.filter((e) => e !== 'zeromq' && e !== 'rx-zmq')) unavailable[engine] = reason;
    return { unavailable, versions };
  }
  try {
    const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', 'from importlib.metadata import version; print(version("oslo.messaging"))']);
    versions['oslo.messaging'] = stdout.trim();
  } catch (error) {
    unavailable.oslo = `/usr/bin/python3 cannot import oslo.messaging (${(error as Error).message.split('\n')[0]}); apt-get install python3-oslo.messaging`;
  }
  const driverReason = briefly(await transportFails(url));
  if (driverReason) unavailable.rx = `rx-messaging's RabbitMQ driver does not connect: ${driverReason}`;
  const msgpackReason = driverReason ?? briefly(await transportFails(`${url}${url.includes('?') ? '&' : '?'}${MSGPACK_QUERY}`));
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

/** The ZeroMQ engines' services: the zeromq package for both; for `rx-zmq`, Redis at the URL's first host and a driver that connects. */
export async function checkZmqServices(zmqUrl: string): Promise<Services> {
  const unavailable: Partial<Record<Engine, string>> = {};
  const versions: Record<string, string> = {};
  try {
    const zeromq = await import('zeromq');
    versions['zeromq'] = `libzmq ${zeromq.version}`;
  } catch (error) {
    const reason = `the zeromq package does not load (${(error as Error).message.split('\n')[0]}); npm install zeromq`;
    return { unavailable: { zeromq: reason, 'rx-zmq': reason }, versions };
  }
  let redis: string | undefined;
  try {
    const { hosts } = parseTransportUrl(zmqUrl);
    if (/^zmq\+redis:/i.test(zmqUrl)) redis = await redisMissing(hosts[0]?.hostname ?? '127.0.0.1', hosts[0]?.port ?? 6379);
  } catch (error) {
    redis = (error as Error).message;
  }
  if (redis) unavailable['rx-zmq'] = `${redis}; start one (npm run services)`;
  else {
    // The error's name comes first: the table shows a reason up to its first colon.
    const failure = await transportFails(zmqUrl);
    if (failure) unavailable['rx-zmq'] = `rx-messaging's ZeroMQ driver does not connect (${failure.name}); ${briefly(failure)}`;
  }
  return { unavailable, versions };
}

/** A driver that neither connects nor fails in this long is reported as failing. */
const CONNECT_CHECK_MS = 15_000;

/** "Name: first line of the message". */
function briefly(error: Error | undefined): string | undefined {
  return error && `${error.name}: ${error.message.split('\n')[0]}`;
}

async function transportFails(url: string): Promise<Error | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const connecting = connect(url);
    const late = new Promise<never>(
      (_, reject) =>
        (timer = setTimeout(() => {
          void connecting.then(
            (transport) => transport.close(),
            () => undefined,
          );
          reject(new Error(`no transport within ${CONNECT_CHECK_MS} ms`));
        }, CONNECT_CHECK_MS)),
    );
    const transport = await Promise.race([connecting, late]);
    await transport.close();
    return undefined;
  } catch (error) {
    return error as Error;
  } finally {
    clearTimeout(timer);
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
