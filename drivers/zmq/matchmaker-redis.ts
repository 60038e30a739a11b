/**
 * The matchmaker on Redis (`zmq+redis://[:password@]host:6379[,host2:6379]/[db]`) or behind
 * Sentinel (`zmq+sentinel://h1:26379,h2:26379/?sentinel_master=NAME`), with oslo's key layout
 * under `zmq_matchmaker_prefix`:
 *
 * - `<prefix>ROUTER/<name>`: a SET of members (`host:port`, or `host:port pool` for a listener
 *   of a pool), with EXPIRE `zmq_target_expire` on the whole set at every write;
 * - `<prefix><host:port>`: the liveness key of one bound ROUTER (a SET holding " ", oslo's
 *   "value aging"), expiring likewise. A member whose liveness key is gone is not live, even while
 *   other servers keep its set alive: that is how a crashed server drops out.
 *
 * Each write also PUBLISHes the name on `<prefix>ROUTER-changes`, so watchers re-read at once
 * instead of polling; every watch also re-reads every `zmq_target_update` (what an expiry
 * changes is not published). Several Redis hosts are independent instances, as in oslo: writes go
 * to every reachable one, reads to the first reachable one. When none answers, watches keep
 * their last members and say `MatchmakerUnavailable`; registrations are written again when
 * Redis is back.
 */
import { BehaviorSubject, catchError, distinctUntilChanged, filter, from, map, merge, of, Subject, switchMap, timer, type Observable } from 'rxjs';
import type { Redis, RedisOptions } from 'ioredis';
import type { TransportStatus } from '../../lib/driver/driver.js';
import { DriverLoadFailure, InvalidTransportUrl, MatchmakerUnavailable } from '../../lib/core/errors.js';
import { getLogger } from '../../lib/core/logger.js';
import type { TransportUrl } from '../../lib/core/url.js';
import { keepRegistered, memberEndpoint, sameMembers, type Lookup, type Matchmaker } from './matchmaker.js';
import type { ZmqOptions } from './options.js';

const log = getLogger('rx-messaging.zmq');

/** Every key of the matchmaker, from its prefix. @internal */
export function redisKeys(prefix: string) {
  return {
    set: (name: string) => `${prefix}ROUTER/${name}`,
    liveness: (endpoint: string) => `${prefix}${endpoint}`,
    changes: `${prefix}ROUTER-changes`,
  };
}

/** The Redis (or Sentinel) matchmaker, oslo's keys under `zmq_matchmaker_prefix`; rejects with `MatchmakerUnavailable` when no instance answers. @internal */
export async function createRedisMatchmaker(url: TransportUrl, options: ZmqOptions, kind: 'redis' | 'sentinel'): Promise<Matchmaker> {
  let RedisClass: typeof Redis;
  try {
    ({ Redis: RedisClass } = await import('ioredis'));
  } catch (error) {
    throw new DriverLoadFailure('zmq', `the Redis matchmaker needs ioredis (npm install ioredis): ${(error as Error).message}`, { cause: error });
  }
  const hosts = url.hosts.length ? url.hosts : [{ hostname: '127.0.0.1' }];
  const password = hosts.find((host) => host.password !== undefined)?.password;
  const db = kind === 'redis' && url.virtualHost ? Number(url.virtualHost) : 0;
  if (!Number.isInteger(db) || db < 0) throw new InvalidTransportUrl(url.url, `the Redis database must be a number, got '${url.virtualHost}'`);
  const timeoutMs = Math.round(options.zmq_matchmaker_timeout * 1000);
  const common: RedisOptions = {
    lazyConnect: true,
    // Fail at once while disconnected: the driver serves from what it knows meanwhile.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    ...(password !== undefined && { password }),
    ...(hosts[0]?.username !== undefined && { username: hosts[0].username }),
    db,
  };
  // oslo named the master by the URL's path; `?sentinel_master=` is the clearer spelling.
  const master = options.sentinel_master ?? url.virtualHost ?? '';
  const address =
    kind === 'sentinel'
      ? `sentinel ${hosts.map((h) => `${h.hostname}:${h.port ?? 26379}`).join(',')} (master ${master})`
      : hosts.map((h) => `redis ${h.hostname}:${h.port ?? 6379}/${db}`).join(', ');
  const clients: Redis[] =
    kind === 'sentinel'
      ? [
          new RedisClass({
            ...common,
            sentinels: hosts.map((h) => ({ host: h.hostname, port: h.port ?? 26379 })),
            name: master,
            sentinelRetryStrategy: (times) => Math.min(times * 200, 2000),
          }),
        ]
      : hosts.map((h) => new RedisClass({ ...common, host: h.hostname, port: h.port ?? 6379 }));
  const subscribers = clients.map((client) => client.duplicate());
  const keys = redisKeys(options.zmq_matchmaker_prefix);
  const expireSeconds = Math.max(1, Math.round(options.zmq_target_expire));
  const status$ = new BehaviorSubject<TransportStatus>({ state: 'connecting', host: address });
  const changed$ = new Subject<string | undefined>();
  const unavailable = (reason: string, cause?: unknown) => new MatchmakerUnavailable(address, reason, cause === undefined ? undefined : { cause });
  let closed = false;

  const ready = () => clients.filter((client) => client.status === 'ready');

  async function write(names: readonly string[], member: string): Promise<void> {
    const live = ready();
    if (!live.length) throw unavailable('no Redis instance is connected');
    const liveness = keys.liveness(memberEndpoint(member));
    const results = await Promise.allSettled(
      live.map((client) => {
        const batch = client.multi();
        for (const name of names) batch.sadd(keys.set(name), member).expire(keys.set(name), expireSeconds);
        batch.sadd(liveness, ' ').expire(liveness, expireSeconds);
        for (const name of names) batch.publish(keys.changes, name);
        return batch.exec();
      }),
    );
    if (!results.some((result) => result.status === 'fulfilled')) throw unavailable('every write failed', (results[0] as PromiseRejectedResult).reason);
  }

  /** Reads in flight: close() lets them end first, as a disconnect under a pipeline rejects its commands with nobody listening. */
  const reading = new Set<Promise<unknown>>();

  function read(name: string): Promise<ReadonlySet<string>> {
    const done = lookUp(name);
    const settled = done.catch(() => undefined);
    reading.add(settled);
    void settled.then(() => reading.delete(settled));
    return done;
  }

  async function lookUp(name: string): Promise<ReadonlySet<string>> {
    const [client] = ready();
    if (!client) throw unavailable('no Redis instance is connected');
    const members = await client.smembers(keys.set(name));
    if (!members.length) return new Set();
    const alive = await client.pipeline(members.map((member) => ['exists', keys.liveness(memberEndpoint(member))])).exec();
    return new Set(members.filter((_member, i) => alive?.[i]?.[1] === 1));
  }

  const registrations = keepRegistered(write, Math.round(options.zmq_target_update * 1000));

  let started = false;
  for (const client of clients) {
    client.on('error', (error: Error) => log.debug(`matchmaker ${address}: ${error.message}`));
    client.on('ready', () => {
      if (status$.value.state !== 'connected') status$.next({ state: 'connected', host: address });
      // Back after an outage (or a failover): what is registered is written again, watches look again.
      if (started) {
        registrations.refresh();
        changed$.next(undefined);
      }
    });
    client.on('close', () => {
      if (closed || ready().length) return;
      status$.next({ state: 'reconnecting', host: address, error: unavailable('the connection to Redis was lost') });
    });
  }
  for (const subscriber of subscribers) {
    subscriber.on('error', (error: Error) => log.debug(`matchmaker ${address} (subscriber): ${error.message}`));
    subscriber.on('message', (_channel: string, name: string) => changed$.next(name));
  }

  try {
    await Promise.any(clients.map((client) => client.connect()));
    await Promise.any(subscribers.map((subscriber) => subscriber.connect().then(() => subscriber.subscribe(keys.changes))));
  } catch (error) {
    for (const client of [...clients, ...subscribers]) client.disconnect();
    const cause = error instanceof AggregateError ? error.errors[0] : error;
    throw unavailable(`cannot connect: ${(cause as Error)?.message}`, cause);
  }
  started = true;
  // Instances that were down at start subscribe once they come up.
  for (const subscriber of subscribers) if (subscriber.status !== 'ready') subscriber.once('ready', () => void subscriber.subscribe(keys.changes).catch(() => undefined));

  return {
    address,
    status$: status$.asObservable(),

    async register(names, member) {
      registrations.add(names, member);
      await write(names, member);
    },

    async unregister(names, member) {
      registrations.remove(names, member);
      const liveness = keys.liveness(memberEndpoint(member));
      await Promise.allSettled(
        ready().map((client) => {
          const batch = client.multi();
          for (const name of names) batch.srem(keys.set(name), member);
          batch.del(liveness);
          for (const name of names) batch.publish(keys.changes, name);
          return batch.exec();
        }),
      );
    },

    watch(name: string): Observable<Lookup> {
      const updateMs = Math.round(options.zmq_target_update * 1000);
      let last: ReadonlySet<string> = new Set();
      return merge(timer(0, updateMs), changed$.pipe(filter((changed) => changed === undefined || changed === name))).pipe(
        switchMap(() =>
          from(read(name)).pipe(
            map((members): Lookup => {
              last = members;
              return { members };
            }),
            catchError((error: unknown) => of<Lookup>({ members: last, error: error instanceof MatchmakerUnavailable ? error : unavailable((error as Error).message, error) })),
          ),
        ),
        distinctUntilChanged((a, b) => a.error === b.error && sameMembers(a.members, b.members)),
      );
    },

    async close() {
      if (closed) return;
      closed = true;
      registrations.close();
      changed$.complete();
      // Bounded by the command timeout (zmq_matchmaker_timeout).
      await Promise.all(reading);
      for (const client of [...clients, ...subscribers]) client.disconnect();
      status$.next({ state: 'closed', host: address });
      status$.complete();
    },
  };
}
