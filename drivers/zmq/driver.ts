/**
 * The ZeroMQ driver: brokerless, every server and listener binds a ROUTER and registers it in the
 * matchmaker; clients keep one DEALER per server endpoint (peers.ts) and pick the server
 * themselves: round-robin over the live servers of a topic, the named server for a server
 * target, every server for fanout, one listener per pool for a notification. Replies come back
 * on the connection the call went out on: no reply queue. README.md has the socket map.
 */
import { Observable, ReplaySubject, Subject, type Subscriber } from 'rxjs';
import type { Driver, TransportStatus } from '../../lib/driver/driver.js';
import type { IncomingCall, Reply, ReplyChannel, RpcRequest, SendOptions } from '../../lib/driver/rpc.js';
import type { IncomingNotification, Notification, NotificationBinding, NotificationListenOptions, NotifyOptions } from '../../lib/driver/notifications.js';
import type { ListenOptions } from '../../lib/driver/listen.js';
import type { WireCodec } from '../../lib/wire/codec.js';
import { MessageDeliveryFailure, MessageUndeliverable, TransportClosed } from '../../lib/core/errors.js';
import { hexId } from '../../lib/core/ids.js';
import { getLogger } from '../../lib/core/logger.js';
import { assertTargetFor, describeTarget, exchangeName, fanoutExchange, routingKey, type Target } from '../../lib/core/target.js';
import { notificationToWire } from '../../lib/wire/notifications.js';
import { replyFromWire, rpcToWire } from '../../lib/wire/rpc.js';
import { encodeFrames, readFrames, type Decoded, type Kind } from './frames.js';
import { toIncomingCall, toIncomingNotification } from './incoming.js';
import { poolMember, type Matchmaker } from './matchmaker.js';
import type { ZmqOptions } from './options.js';
import { createPeers, type Peer, type Route } from './peers.js';
import { createCallsInFlight } from './calls-in-flight.js';
import { createFanoutPublisher, subscribeFanout } from './pubsub.js';
import { bindRouter, createSender, readAll, type Frames, type Router, type Sender, type SocketSecurity, type Zmq } from './sockets.js';
import { listenerNames, notificationName, sendName, serverNames, topicName } from './topology.js';

interface ZmqDriverConfig {
  readonly zmq: Zmq;
  readonly options: ZmqOptions;
  readonly matchmaker: Matchmaker;
  readonly controlExchange: string;
  /** What this transport sends in: JSON (oslo's) or MessagePack. */
  readonly codec: WireCodec;
  /** CURVE keys and the like for every socket (drivers/zmq/security.ts). */
  readonly security?: SocketSecurity;
}

const log = getLogger('rx-messaging.zmq');

/** The zmq `Driver` over a loaded addon and a matchmaker; `createDriver` (index.ts) resolves what it takes. @internal */
export function createZmqDriver({ zmq, options, matchmaker, controlExchange, codec, security }: ZmqDriverConfig): Driver {
  const identity = `zmq-${hexId()}`;
  const closedError = () => new TransportClosed('The zmq transport is closed');
  const replies$ = new Subject<Reply>();
  const inFlight = createCallsInFlight();
  const deliverReply = (reply: Reply) => {
    replies$.next(reply);
    if (reply.ending) inFlight.answered(reply.msgId);
  };
  const malformedReply = (error: Error) => log.warn(`rejected a malformed reply: ${error.message}`, { reason: error.message });
  const receiveReplies = (frames: Buffer[]) => readFrames(frames, 'reply', ({ body }) => replyFromWire(body), deliverReply, malformedReply);
  const peers = createPeers(zmq, options, matchmaker, security, receiveReplies, inFlight.lost, closedError);
  const status$ = new ReplaySubject<TransportStatus>(1);
  const statusWatch = matchmaker.status$.subscribe((status) => status$.next(status));
  /** The subscribers of live servers and listeners, completed on close. */
  const listeners = new Set<Subscriber<unknown>>();
  /** Unregistrations and socket closes still running. */
  const cleanups = new Set<Promise<void>>();
  const sendWaitMs = Math.round(options.zmq_send_timeout * 1000);
  /** `use_pub_sub`: the PUB to the proxy, connected from the start so subscriptions reach it early. */
  const publisher = options.use_pub_sub ? createFanoutPublisher(zmq, options) : undefined;
  let closed = false;

  const encode = (kind: Kind, body: () => Record<string, unknown>, enveloped?: boolean): Frames => encodeFrames(kind, codec, body(), enveloped);

  /**
   * Sends to the next live server of `route`, waiting up to `waitMs` for one: the peer and the session it went out on, undefined when none came.
   * Servers still making their first connection are waited for (up to a send's timeout), so a new
   * client's first calls spread over every server instead of all going to the fastest handshake.
   */
  async function toOne(route: Route, frames: Frames, waitMs: number, undeliverable?: () => Error): Promise<Pick<Peer, 'endpoint' | 'session'> | undefined> {
    const peer = pickNow(route) ?? (await waitForPeer(route, waitMs, undeliverable));
    if (!peer) return undefined;
    const sentOn = { endpoint: peer.endpoint, session: peer.session };
    await peer.sender.send(frames);
    return sentOn;
  }

  /** The next live server of `route` when one is up and none is still making its first connection: the common case, sent without waiting. */
  function pickNow(route: Route): Peer | undefined {
    return noneConnecting(route) ? peers.pick(route) : undefined;
  }

  /** Waits (up to a send's timeout) for the servers making their first connection, then up to `waitMs` for a live one. */
  async function waitForPeer(route: Route, waitMs: number, undeliverable?: () => Error): Promise<Peer | undefined> {
    await settled(route, Math.min(waitMs, sendWaitMs));
    return peers.until(waitMs, () => {
      if (!route.looked) return undefined;
      assertKnown(route);
      if (!route.members.size && undeliverable) throw undeliverable();
      return peers.pick(route) ?? assertAdmitted(route);
    });
  }

  /** Whether `route` was looked up and none of its peers (of `pool`) is still making its first connection. */
  const noneConnecting = (route: Route, pool?: string) => route.looked && peers.peersOf(route, pool).every((peer) => peer.state !== 'connecting');

  /** Every peer of `route` (of `pool`) once none of them is still making its first connection, or after `waitMs`. */
  const settled = (route: Route, waitMs: number, pool?: string) => peers.until(waitMs, () => (noneConnecting(route, pool) ? true : undefined));

  const upPeers = (route: Route, pool?: string): Peer[] => peers.peersOf(route, pool).filter((peer) => peer.state === 'up');

  /** A send no server will ever take (every one refused this client's handshake) fails now, naming the refusal, instead of waiting out its timeout. */
  function assertAdmitted(route: Route): undefined {
    const known = peers.peersOf(route);
    if (!known.length || !known.every((peer) => peer.refused !== undefined)) return undefined;
    throw new MessageDeliveryFailure(`every server of ${route.name} refused this client: ${known.map((peer) => `${peer.endpoint}: ${peer.refused}`).join('; ')}`);
  }

  /** Nothing known of a name because the matchmaker cannot be asked is its error, not an empty fleet. */
  function assertKnown(route: Route): void {
    if (!route.members.size && route.error) throw route.error;
  }

  /**
   * A cold stream that binds a ROUTER, reads it and registers it under `names` while subscribed;
   * `onReady` once the registration is in. Unsubscribing unregisters at once, then closes the socket.
   * With `fanout` (an RPC server's topic under `use_pub_sub`), it also reads that topic's fanout from the proxy.
   */
  function serving<T>(
    description: string,
    names: readonly string[],
    pool: string | undefined,
    kind: Kind,
    onReady: (() => void) | undefined,
    build: (decoded: Decoded, routingId: Buffer, router: Sender) => T,
    fanout?: string,
  ): Observable<T> {
    return new Observable<T>((subscriber) => {
      if (closed) return subscriber.error(closedError());
      let stopped = false;
      let bound: { router: Router; member: string; sender?: Sender; fanout?: { close(): void } } | undefined;
      listeners.add(subscriber as Subscriber<unknown>);
      const start = async () => {
        const { router, member: address } = await bindRouter(zmq, options, security, matchmaker.fixedMember?.(names));
        bound = { router, member: poolMember(address, pool) };
        if (stopped) return;
        const sender = (bound.sender = createSender(
          router,
          options,
          `${description}'s callers`,
          () => new MessageDeliveryFailure(`${description} stopped before it could reply`),
          true,
        ));
        const deliver = (value: T) => subscriber.next(value);
        const malformed = (error: Error) => log.warn(`${description} rejected a malformed message: ${error.message}`, { reason: error.message });
        const receive = (frames: Buffer[], routingId: Buffer) => readFrames(frames, kind, (decoded) => build(decoded, routingId, sender), deliver, malformed);
        void readAll(router, ([routingId, ...frames]) => receive(frames, routingId as Buffer), description);
        // A fanout cast has nobody to reply to: no routing id.
        if (fanout) bound.fanout = subscribeFanout(zmq, options, fanout, (frames) => receive(frames, Buffer.alloc(0)), description);
        await matchmaker.register(names, bound.member);
        if (!stopped) onReady?.();
      };
      start().catch((error: unknown) => subscriber.error(error));
      return () => {
        stopped = true;
        listeners.delete(subscriber as Subscriber<unknown>);
        const cleanup = (async () => {
          if (bound) {
            await matchmaker.unregister(names, bound.member).catch((error: unknown) => log.warn(`${description} could not unregister: ${(error as Error).message}`));
            // Every reply queued before the stop goes to ZeroMQ first (a stalled caller holds this at most a send timeout);
            // the close then leaves ZeroMQ `zmq_linger` to deliver what it holds.
            bound.fanout?.close();
            await bound.sender?.drained(sendWaitMs);
            bound.router.close();
          }
        })();
        cleanups.add(cleanup);
        void cleanup.finally(() => cleanups.delete(cleanup));
      };
    });
  }

  return {
    name: 'zmq',
    // Nothing is stored between peers: a message no live server takes is gone, and it cannot be given back.
    capabilities: { requeue: false, pools: true, durable: false, undeliverableDetection: true },
    status$: status$.asObservable(),

    async send(target: Target, request: RpcRequest, { atLeastOnce = false }: SendOptions = {}): Promise<void> {
      if (closed) throw closedError();
      assertTargetFor(request.call ? 'call' : 'cast', target);
      const frames = encode('rpc', () => rpcToWire(request));
      if (target.fanout) {
        const route = peers.route(topicName(target, controlExchange));
        await settled(route, sendWaitMs);
        assertKnown(route);
        const up = upPeers(route);
        if (!up.length) {
          if (atLeastOnce) throw new MessageUndeliverable(fanoutExchange(target), routingKey(target));
          return log.debug(`dropped a fanout cast to ${describeTarget(target)}: no server is connected`, { method: request.method });
        }
        // Published once; the proxy copies it to every subscribed server (best effort: pubsub.ts).
        if (publisher) return publisher.publish(route.name, frames);
        await Promise.all(up.map((peer) => peer.sender.send(frames)));
        return;
      }
      const route = peers.route(sendName(target, controlExchange));
      const undeliverable = atLeastOnce ? () => new MessageUndeliverable(exchangeName(target, controlExchange), routingKey(target)) : undefined;
      // A call waits for a server as long as its caller waits for the reply; a cast as long as a send may.
      const waitMs = request.call && Number.isFinite(request.call.timeoutMs) && request.call.timeoutMs > 0 ? request.call.timeoutMs : sendWaitMs;
      const sentOn = await toOne(route, frames, waitMs, undeliverable);
      // A call lost with the server it went to fails at once, through the reply channel's lost$ (calls-in-flight.ts).
      if (sentOn) return request.call ? inFlight.track(sentOn.endpoint, sentOn.session, request.call, request.method) : undefined;
      // The caller's own timeout tells a call that nobody answered.
      if (request.call) return log.debug(`dropped a call to ${describeTarget(target)}: no server connected in ${waitMs} ms`, { method: request.method });
      throw new MessageDeliveryFailure(`no server of ${describeTarget(target)} connected within ${waitMs} ms: the cast of '${request.method}' was not sent`);
    },

    async replyChannel(): Promise<ReplyChannel> {
      if (closed) throw closedError();
      return { address: identity, replies$: replies$.asObservable(), lost$: inFlight.lost$ };
    },

    listen(target: Target, { onReady }: ListenOptions = {}): Observable<IncomingCall> {
      assertTargetFor('server', target);
      const fanout = options.use_pub_sub ? topicName(target, controlExchange) : undefined;
      return serving(`RPC server ${describeTarget(target)}`, serverNames(target, controlExchange), undefined, 'rpc', onReady, toIncomingCall, fanout);
    },

    async notify(target: Target, notification: Notification, { version = 2 }: NotifyOptions = {}): Promise<void> {
      if (closed) throw closedError();
      assertTargetFor('notifier', target);
      const frames = encode('notify', () => notificationToWire(notification, hexId()), version !== 1);
      const route = peers.route(notificationName(target, notification.priority, controlExchange));
      await settled(route, sendWaitMs);
      assertKnown(route);
      const pools = peers.poolsOf(route);
      if (!pools.size) return log.debug(`dropped a notification to ${describeTarget(target)}: nobody listens at ${notification.priority}`, { eventType: notification.eventType });
      // One copy per pool, to the next live listener of it.
      const sent = await Promise.all([...pools].map((pool) => sendToPool(route, pool, frames)));
      if (sent.includes(false))
        throw new MessageDeliveryFailure(`no listener of ${describeTarget(target)} at ${notification.priority} connected within ${sendWaitMs} ms for some of its pools`);
    },

    listenForNotifications(bindings: readonly NotificationBinding[], { pool, onReady }: NotificationListenOptions = {}): Observable<IncomingNotification> {
      for (const { target } of bindings) assertTargetFor('listener', target);
      const description = `notification listener${pool === undefined ? '' : ` (pool ${pool})`}`;
      return serving(description, listenerNames(bindings, controlExchange), pool, 'notify', onReady, (decoded) => toIncomingNotification(decoded));
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const listener of [...listeners]) listener.complete();
      await Promise.all([...cleanups]);
      peers.close();
      publisher?.close();
      inFlight.close();
      replies$.complete();
      statusWatch.unsubscribe();
      await matchmaker.close();
      status$.next({ state: 'closed' });
      status$.complete();
      log.debug('closed');
    },
  };

  async function sendToPool(route: Route, pool: string, frames: Frames): Promise<boolean> {
    const peer = await peers.until(sendWaitMs, () => peers.pick(route, pool));
    if (!peer) return false;
    await peer.sender.send(frames);
    return true;
  }
}
