/** The zmq driver on a Redis Sentinel of its own (scripts/redis-sentinel.sh on ports of this process). */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId } from '../../../lib/core/ids.js';
import { connect, rpcClient, rpcServer, target, type Transport } from '../../../lib/index.js';
import { skippedSuite, startSentinel, type Sentinel } from '../../helpers/services.js';

// Ports of this process, away from the default Sentinel another spec (scripts/redis-sentinel.spec.ts) runs.
const base = 30_000 + (process.pid % 1000) * 3;
const sentinel = startSentinel({
  RXM_SENTINEL_MASTER_PORT: String(base),
  RXM_SENTINEL_REPLICA_PORT: String(base + 1),
  RXM_SENTINEL_PORT: String(base + 2),
  RXM_SENTINEL_MASTER: `rxm-zmq-${hexId()}`,
  RXM_SENTINEL_DIR: join(tmpdir(), `rxm-zmq-sentinel-${process.pid}`),
});
const ZmqSentinel = typeof sentinel === 'string' ? skippedSuite('zmq+sentinel matchmaker', sentinel) : suite('zmq+sentinel matchmaker');

ZmqSentinel.after(() => (sentinel as Sentinel).down());

ZmqSentinel('should serve and answer calls with the matchmaker on the master a Sentinel names', async () => {
  const { host, port, masterName } = sentinel as Sentinel;
  const url = `zmq+sentinel://${host}:${port}/?sentinel_master=${encodeURIComponent(masterName)}&zmq_matchmaker_prefix=${encodeURIComponent(`rxm-spec-${hexId()}:`)}`;
  const transports: Transport[] = [];
  try {
    const serving = await connect(url);
    transports.push(serving);
    const topic = `zmq-${hexId()}`;
    const server = rpcServer(serving, target({ topic, server: 'host-1' }), [{ whoami: () => 'host-1' }]);
    await server.start();
    const calling = await connect(url);
    transports.unshift(calling);
    assert.is(await rpcClient(calling, target({ topic }), { timeout: 10_000 }).call('whoami'), 'host-1');
    await server.stop();
  } finally {
    await Promise.all(transports.map((transport) => transport.close()));
  }
});

ZmqSentinel.run();
