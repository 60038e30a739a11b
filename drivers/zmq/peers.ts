/**
 * The client side: one DEALER per server endpoint, connected while any watched name lists it
 * (and read until its server hangs up once none does, for the replies still on their way),
 * and the routes (watched names) senders pick from. A peer is `up` from its handshake and `down`
 * from a disconnect or a failed attempt, so a dead server (a SIGKILL closes its TCP connections;
 * heartbeats catch a frozen one) is skipped at once, long before its registration expires.
 * Replies, streamed values and heartbeats come back on the DEALER the call went out on; every
 * DEALER's reader feeds the one reply stream.
 */
import { Subject, type Subscription } from 'rxjs';
import type { MatchmakerUnavailable } from '../../lib/core/errors.js';
import { MessageDeliveryFailure } from '../../lib/core/errors.js';
import { getLogger } from '../../lib/core/logger.js';
import { memberEndpoint, memberPool, type Matchmaker } from './matchmaker.js';
import type { ZmqOptions } from './options.js';
import { createDealer, createSender, readAll, type Dealer, type Sender, type SocketSecurity, type Zmq } from './sockets.js';

type PeerState = 'connecting' | 'up' | 'down';

/** A server endpoint as a client sees it: its DEALER's send queue and its state. @internal */
export interface Peer {
  readonly endpoint: string;
  readonly sender: Sender;
  state: PeerState;
  /** Counts the peer's connections (handshakes): what a call went out on, so a lost connection fails only its own calls. */
  session: number;
  /** Why the server's last handshake refused this client (CURVE credentials, a plaintext client of a CURVE server); cleared by a handshake. */
  refused: string | undefined;
}

/** A watched name: its members and where round-robin stands. @internal */
export interface Route {
  readonly name: string;
  /** The members of the last lookup. */
  members: ReadonlySet<string>;
  /** Why the last lookup failed, if it did. */
  error: MatchmakerUnavailable | undefined;
  /** Whether a first lookup came back. */
  looked: boolean;
  /** Round-robin position. */
  next: number;
}

interface Peers {
  /** The route of `name`, watched from its first use until close. */
  route(name: string): Route;
  /** Resolves with what `check` finds once it finds something (it may throw to fail), or undefined after `waitMs`. */
  until<T>(waitMs: number, check: () => T | undefined): Promise<T | undefined>;
  /** The next `up` peer of the route, round-robin; of one pool's members only when `pool` is given. */
  pick(route: Route, pool?: string): Peer | undefined;
  /** Every member's peer (of `pool` when given). */
  peersOf(route: Route, pool?: string): Peer[];
  /** The pools of the route's members ('' the default). */
  poolsOf(route: Route): Set<string>;
  close(): void;
}

interface Connection extends Peer {
  readonly dealer: Dealer;
  /** Replies being handled by the reader. */
  reading: number;
}

const log = getLogger('rx-messaging.zmq');

/** The client side of a transport: a DEALER per endpoint, the routes, the wait for a live peer. @internal */
export function createPeers(
  zmq: Zmq,
  options: ZmqOptions,
  matchmaker: Matchmaker,
  security: SocketSecurity | undefined,
  onReply: (frames: Buffer[]) => Promise<void>,
  /** A connection that was up is gone, and what it delivered before was read. */
  onLost: (endpoint: string, session: number, why: string) => void,
  closedError: () => Error,
): Peers {
  const routes = new Map<string, Route>();
  const watches: Subscription[] = [];
  const connections = new Map<string, Connection>();
  /** Endpoints no route lists any more, still read until their server hangs up: a server leaves the matchmaker before it closes its ROUTER, so replies to calls it took may still be on their way. */
  const leaving = new Map<string, Connection>();
  /** Ticks on every lookup and every change of a peer's state: what waiting senders re-check on. */
  const changed$ = new Subject<void>();
  let closed = false;

  function connect(endpoint: string): Connection {
    const dealer = createDealer(zmq, options, endpoint, security);
    const describe = `server ${endpoint}`;
    const connection: Connection = {
      endpoint,
      dealer,
      reading: 0,
      state: 'connecting',
      session: 0,
      refused: undefined,
      sender: createSender(dealer, options, describe, () => (closed ? closedError() : new MessageDeliveryFailure(`cannot send to ${describe}: it left the matchmaker`))),
    };
    const set = (state: PeerState, why?: string) => {
      if (connection.state === state) return;
      const left = leaving.get(endpoint) === connection;
      const lost = state === 'down' && connection.state === 'up';
      if (lost && !left) log.info(`lost ${describe}: ${why}`, { endpoint });
      connection.state = state;
      if (state === 'up') connection.session++;
      const hungUp = state === 'down' && left;
      if (hungUp) leaving.delete(endpoint);
      if (lost || hungUp) {
        const { session } = connection;
        // The replies that came before the hang-up are read first: they end their calls.
        whenRead(connection, () => {
          if (hungUp) dealer.close();
          if (lost) onLost(endpoint, session, why ?? 'disconnected');
        });
      }
      changed$.next();
    };
    dealer.events.on('handshake', () => {
      connection.refused = undefined;
      set('up');
    });
    dealer.events.on('disconnect', () => set('down', 'disconnected'));
    dealer.events.on('connect:retry', () => set('down', 'connection refused'));
    const refuse = (why: string) => {
      if (connection.refused !== why) log.warn(`${describe} refused this client: ${why}`, { endpoint });
      connection.refused = why;
      set('down', 'refused');
    };
    // A plaintext client of a CURVE server (or the reverse) fails here: a mechanism mismatch.
    dealer.events.on('handshake:error:protocol', (event) => refuse(`the handshake failed (${event.error.message}; are both sides configured with the same security?)`));
    dealer.events.on('handshake:error:auth', (event) => refuse(`it did not admit this client's CURVE key (ZAP status ${event.error.status})`));
    dealer.events.on('handshake:error:other', () => set('down', 'handshake failed'));
    dealer.connect(`tcp://${endpoint}`);
    void readAll(
      dealer,
      async (frames) => {
        connection.reading++;
        try {
          await onReply(frames);
        } finally {
          connection.reading--;
        }
      },
      describe,
    );
    return connection;
  }

  /** Connects to every endpoint a route lists, and lets go of those none lists any more. */
  function sync(): void {
    const wanted = new Set<string>();
    for (const route of routes.values()) for (const member of route.members) wanted.add(memberEndpoint(member));
    for (const endpoint of wanted) {
      if (connections.has(endpoint)) continue;
      const back = leaving.get(endpoint);
      leaving.delete(endpoint);
      connections.set(endpoint, back ?? connect(endpoint));
    }
    for (const [endpoint, connection] of connections) {
      if (wanted.has(endpoint)) continue;
      connections.delete(endpoint);
      if (connection.state === 'up') leaving.set(endpoint, connection);
      else connection.dealer.close();
    }
  }

  /** Runs `then` once the reader of `connection` took and handled what arrived before the hang-up (the last replies). */
  function whenRead(connection: Connection, then: () => void): void {
    const { dealer } = connection;
    if (!dealer.closed && (dealer.readable || connection.reading > 0)) setImmediate(() => whenRead(connection, then));
    else then();
  }

  const membersOf = (route: Route, pool?: string) => [...route.members].filter((member) => pool === undefined || memberPool(member) === pool);

  return {
    route(name) {
      let route = routes.get(name);
      if (route) return route;
      const created: Route = { name, members: new Set(), error: undefined, looked: false, next: 0 };
      routes.set(name, created);
      watches.push(
        matchmaker.watch(name).subscribe(({ members, error }) => {
          created.error = error;
          // A failed look keeps what was known: the driver goes on serving from it.
          if (!error) created.members = members;
          created.looked = true;
          sync();
          changed$.next();
        }),
      );
      return (route = created);
    },

    until(waitMs, check) {
      return new Promise((resolve, reject) => {
        const attempt = () => {
          try {
            const found = check();
            if (found === undefined) return false;
            resolve(found);
          } catch (error) {
            reject(error);
          }
          return true;
        };
        if (closed) return reject(closedError());
        if (attempt()) return;
        const timer = setTimeout(() => {
          subscription.unsubscribe();
          resolve(undefined);
        }, waitMs);
        const subscription = changed$.subscribe({
          next: () => {
            if (!attempt()) return;
            clearTimeout(timer);
            subscription.unsubscribe();
          },
          complete: () => {
            clearTimeout(timer);
            reject(closedError());
          },
        });
      });
    },

    pick(route, pool) {
      const up = membersOf(route, pool)
        .map((member) => connections.get(memberEndpoint(member)))
        .filter((peer): peer is Connection => peer?.state === 'up');
      if (!up.length) return undefined;
      return up[route.next++ % up.length];
    },

    peersOf(route, pool) {
      return membersOf(route, pool)
        .map((member) => connections.get(memberEndpoint(member)))
        .filter((peer): peer is Connection => peer !== undefined);
    },

    poolsOf(route) {
      return new Set([...route.members].map(memberPool));
    },

    close() {
      closed = true;
      for (const watch of watches) watch.unsubscribe();
      for (const connection of [...connections.values(), ...leaving.values()]) connection.dealer.close();
      connections.clear();
      leaving.clear();
      routes.clear();
      changed$.complete();
    },
  };
}
