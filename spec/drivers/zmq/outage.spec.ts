/** A Redis outage seen by a client (through a proxy the spec cuts): it goes on serving from what it knows. */
import { filter, firstValueFrom } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MatchmakerUnavailable } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { connect, rpcClient, rpcServer, target, type Transport } from '../../../lib/index.js';
import { tcpProxy } from '../../../testing/tcp-proxy.js';
import { redisUnavailable, skippedSuite } from '../../helpers/services.js';
import { deleteRedisKeys } from './support.js';

const reason = await redisUnavailable();
const Outage = reason === undefined ? suite('zmq: Redis outage') : skippedSuite('zmq: Redis outage', reason);

Outage('should keep calling the servers it knows while Redis is down, report it in status$, and fail only what it cannot look up', async () => {
  const prefix = `rxm-spec-${hexId()}:`;
  const query = `?zmq_matchmaker_prefix=${encodeURIComponent(prefix)}&zmq_matchmaker_timeout=1`;
  const proxy = await tcpProxy('127.0.0.1', 6379);
  const transports: Transport[] = [];
  const open = async (url: string) => {
    const transport = await connect(url);
    transports.push(transport);
    return transport;
  };
  try {
    const topic = `zmq-${hexId()}`;
    const server = rpcServer(await open(`zmq+redis://127.0.0.1:6379/${query}`), target({ topic, server: 'a' }), [{ ping: () => 'pong' }]);
    await server.start();
    const transport = await open(`zmq+redis://127.0.0.1:${proxy.port}/${query}`);
    const client = rpcClient(transport, target({ topic }), { timeout: 10_000 });
    assert.is(await client.call('ping'), 'pong');
    proxy.refuse(true);
    proxy.cut();
    const down = await firstValueFrom(transport.status$.pipe(filter((status) => status.state === 'reconnecting')));
    assert.instance(down.error, MatchmakerUnavailable);
    assert.is(await client.call('ping'), 'pong', 'the known server still answers');
    const unknown = await rpcClient(transport, target({ topic: `zmq-${hexId()}` }), { timeout: 10_000 })
      .call('ping')
      .catch((e: unknown) => e);
    assert.instance(unknown, MatchmakerUnavailable);
    proxy.refuse(false);
    await firstValueFrom(transport.status$.pipe(filter((status) => status.state === 'connected')));
    assert.is(await client.call('ping'), 'pong');
    await server.stop();
  } finally {
    await Promise.all(transports.map((transport) => transport.close()));
    await proxy.close();
    await deleteRedisKeys(prefix);
  }
});

Outage.run();
