import { Redis } from 'ioredis';
import { filter, firstValueFrom } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MatchmakerUnavailable } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { parseTransportUrl } from '../../../lib/core/url.js';
import { connect } from '../../../lib/index.js';
import { createInProcessMatchmaker } from '../../../drivers/zmq/matchmaker-inprocess.js';
import { createRedisMatchmaker, redisKeys } from '../../../drivers/zmq/matchmaker-redis.js';
import type { Matchmaker } from '../../../drivers/zmq/matchmaker.js';
import { zmqOptions } from '../../../drivers/zmq/options.js';
import { redisUnavailable, skippedSuite } from '../../helpers/services.js';
import { deleteRedisKeys } from './support.js';

/** Resolves once `name`'s members satisfy `test`; the matchmakers' timers do not hold the process open, this wait does. */
const until = async (matchmaker: Matchmaker, name: string, test: (members: ReadonlySet<string>) => boolean) => {
  const guard = setTimeout(() => undefined, 60_000);
  try {
    return await firstValueFrom(matchmaker.watch(name).pipe(filter(({ members }) => test(members))));
  } finally {
    clearTimeout(guard);
  }
};

const InProcess = suite('zmq matchmaker: in-process');

InProcess('should show a registration to a watcher of the same name, and drop it on unregister', async () => {
  const name = `mm-${hexId()}`;
  const server = createInProcessMatchmaker(name, 300_000, 180_000);
  const client = createInProcessMatchmaker(name, 300_000, 180_000);
  try {
    await server.register(['openstack/t', 'openstack/t.a'], '127.0.0.1:5000');
    assert.equal([...(await until(client, 'openstack/t.a', (m) => m.size === 1)).members], ['127.0.0.1:5000']);
    await server.unregister(['openstack/t', 'openstack/t.a'], '127.0.0.1:5000');
    await until(client, 'openstack/t', (m) => m.size === 0);
  } finally {
    await Promise.all([server.close(), client.close()]);
  }
});

InProcess('should let a registration that is no longer refreshed expire', async () => {
  const name = `mm-${hexId()}`;
  const watcher = createInProcessMatchmaker(name, 1_000, 500);
  const server = createInProcessMatchmaker(name, 1_000, 500);
  try {
    await server.register(['openstack/t'], '127.0.0.1:5001');
    await until(watcher, 'openstack/t', (m) => m.has('127.0.0.1:5001'));
    // Closing stops the refreshes without unregistering: what a crash leaves behind.
    await server.close();
    await until(watcher, 'openstack/t', (m) => m.size === 0);
  } finally {
    await watcher.close();
  }
});

InProcess('should keep separate registries for separate names', async () => {
  const [one, other] = [createInProcessMatchmaker(`mm-${hexId()}`, 300_000, 180_000), createInProcessMatchmaker(`mm-${hexId()}`, 300_000, 180_000)];
  try {
    await one.register(['openstack/t'], '127.0.0.1:5002');
    assert.is((await firstValueFrom(other.watch('openstack/t'))).members.size, 0);
  } finally {
    await Promise.all([one.close(), other.close()]);
  }
});

InProcess.run();

const reason = await redisUnavailable();
const OnRedis = reason === undefined ? suite('zmq matchmaker: Redis') : skippedSuite('zmq matchmaker: Redis', reason);

const redisMatchmaker = (prefix: string, query = '') => {
  const url = parseTransportUrl(`zmq+redis://127.0.0.1:6379/?zmq_matchmaker_prefix=${encodeURIComponent(prefix)}${query}`);
  return createRedisMatchmaker(url, zmqOptions(url, {}), 'redis');
};

OnRedis("should write oslo's layout under the prefix, tell watchers at once, and leave nothing after unregister", async () => {
  const prefix = `rxm-spec-${hexId()}:`;
  const server = await redisMatchmaker(prefix);
  const client = await redisMatchmaker(prefix);
  try {
    const watched = until(client, 'openstack/t.a', (m) => m.has('127.0.0.1:5003'));
    await server.register(['openstack/t', 'openstack/t.a'], '127.0.0.1:5003');
    await watched;
    const redis = new Redis({ lazyConnect: true });
    await redis.connect();
    const keys = redisKeys(prefix);
    assert.equal(await redis.smembers(keys.set('openstack/t')), ['127.0.0.1:5003']);
    assert.equal(await redis.smembers(keys.liveness('127.0.0.1:5003')), [' ']);
    assert.ok((await redis.ttl(keys.set('openstack/t'))) > 0, 'the set expires');
    redis.disconnect();
    await server.unregister(['openstack/t', 'openstack/t.a'], '127.0.0.1:5003');
    await until(client, 'openstack/t', (m) => m.size === 0);
    assert.is(await deleteRedisKeys(prefix), 0, 'no key is left');
  } finally {
    await Promise.all([server.close(), client.close()]);
    await deleteRedisKeys(prefix);
  }
});

OnRedis('should drop a member whose liveness key expired, even while another keeps the set alive', async () => {
  const prefix = `rxm-spec-${hexId()}:`;
  const short = '&zmq_target_expire=1&zmq_target_update=0.5';
  const crashed = await redisMatchmaker(prefix, short);
  const alive = await redisMatchmaker(prefix, short);
  const watcher = await redisMatchmaker(prefix, short);
  try {
    await crashed.register(['openstack/t'], '127.0.0.1:5004');
    await alive.register(['openstack/t'], '127.0.0.1:5005');
    await until(watcher, 'openstack/t', (m) => m.size === 2);
    await crashed.close();
    assert.equal([...(await until(watcher, 'openstack/t', (m) => m.size === 1)).members], ['127.0.0.1:5005']);
  } finally {
    await Promise.all([alive.close(), watcher.close()]);
    await deleteRedisKeys(prefix);
  }
});

OnRedis('should refuse to start with MatchmakerUnavailable naming the address when Redis cannot be reached', async () => {
  const error = await connect('zmq+redis://127.0.0.1:1/?zmq_matchmaker_timeout=1').catch((e: unknown) => e);
  assert.instance(error, MatchmakerUnavailable);
  assert.match((error as MatchmakerUnavailable).address, /127\.0\.0\.1:1/);
});

OnRedis.run();
