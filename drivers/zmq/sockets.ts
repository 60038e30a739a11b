/**
 * ZeroMQ sockets as the driver uses them: the zeromq addon loaded on first use (one default
 * Context for every socket), the options every socket gets, a ROUTER bound on a free port of the
 * range, one reader loop per socket, and one bounded send queue per socket.
 *
 * zeromq.js allows one pending send per socket (a second throws EBUSY at once). So each socket's
 * sends go through a FIFO of at most `zmq_send_queue` messages; a full queue or a send that found
 * no room for `zmq_send_timeout` is a `MessageDeliveryFailure`, and nothing grows without bound.
 * The messages waiting for the same peer leave together (up to 64 messages, 64 KiB) as the frames
 * of one ZeroMQ message (frames.ts): one native send and receive, and one wake-up of ZeroMQ's I/O
 * thread, for many messages.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { MessageDeliveryFailure } from '../../lib/core/errors.js';
import { getLogger } from '../../lib/core/logger.js';
import type { ZmqOptions } from './options.js';

/** The zeromq module, loaded by `loadZeromq`. @internal */
export type Zmq = typeof import('zeromq');
/** zeromq's DEALER socket. @internal */
export type Dealer = import('zeromq').Dealer;
/** zeromq's ROUTER socket. @internal */
export type Router = import('zeromq').Router;
/** A message's frames as sent. @internal */
export type Frames = readonly (Buffer | string)[];

/**
 * What security adds to sockets (CURVE keys, a ZAP domain): the seam drivers/zmq/security.ts
 * plugs into. Options are zeromq.js socket options, e.g. `{ curveServer: true, curveSecretKey }`.
 */
export interface SocketSecurity {
  /** Options of every ROUTER this transport binds. */
  readonly router?: Readonly<Record<string, unknown>>;
  /** Options of the DEALER that connects to `endpoint` (`host:port`), e.g. that server's `curveServerKey`. */
  dealer?(endpoint: string): Readonly<Record<string, unknown>>;
}

const log = getLogger('rx-messaging.zmq');

let loading: Promise<Zmq> | undefined;

/** The zeromq addon, imported on first use; a failed import is tried again on the next call. @internal */
export function loadZeromq(): Promise<Zmq> {
  loading ??= import('zeromq').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

const seconds = (s: number) => Math.round(s * 1000);

/** The options every socket gets. @internal */
export function commonOptions(options: ZmqOptions): Record<string, unknown> {
  const heartbeats = options.zmq_heartbeat_interval > 0 && {
    heartbeatInterval: seconds(options.zmq_heartbeat_interval),
    heartbeatTimeout: seconds(options.zmq_heartbeat_timeout),
    heartbeatTimeToLive: seconds(options.zmq_heartbeat_timeout),
  };
  return {
    linger: options.zmq_linger < 0 ? -1 : seconds(options.zmq_linger),
    sendHighWaterMark: options.zmq_send_hwm,
    receiveHighWaterMark: options.zmq_receive_hwm,
    // The sender waits out zmq_send_timeout itself: zeromq.js's own wait for room can miss its wake-up
    // and sit out the whole timeout with room free (casts stalled 10 s in bench runs); without one, every send is also synchronous.
    sendTimeout: 0,
    ...heartbeats,
  };
}

/** The DEALER to the server at `endpoint` (not connected yet): the common options, `immediate`, and what `security` adds. @internal */
export function createDealer(zmq: Zmq, options: ZmqOptions, endpoint: string, security: SocketSecurity | undefined): Dealer {
  // One DEALER per server: the driver picks live peers itself, so `immediate` (off by default) is not needed for round-robin.
  return new zmq.Dealer({ ...commonOptions(options), immediate: options.zmq_immediate, ...security?.dealer?.(endpoint) });
}

/**
 * A ROUTER bound on `member` (a static fleet's `host:port`) or on a random port of the range, and
 * the `host:port` it is reached at. `mandatory`: a reply to a caller that is gone is an error, not a silent drop.
 * @internal
 */
export async function bindRouter(zmq: Zmq, options: ZmqOptions, security: SocketSecurity | undefined, member?: string): Promise<{ router: Router; member: string }> {
  const router = new zmq.Router({ ...commonOptions(options), mandatory: true, handover: true, ...security?.router });
  const bindHost = options.rpc_zmq_bind_address;
  const ports = member ? [Number(member.slice(member.lastIndexOf(':') + 1))] : randomPorts(options);
  let failure: unknown;
  for (const port of ports) {
    try {
      await router.bind(`tcp://${bindHost}:${port}`);
      return { router, member: member ?? `${options.rpc_zmq_host}:${port}` };
    } catch (error) {
      failure = error;
    }
  }
  router.close();
  throw new MessageDeliveryFailure(
    `could not bind a ROUTER on ${bindHost}: ${member ? `port of ${member}` : `${ports.length} ports tried in [${options.rpc_zmq_min_port}, ${options.rpc_zmq_max_port})`} (${(failure as Error)?.message})`,
    { cause: failure },
  );
}

function randomPorts(options: ZmqOptions): number[] {
  const span = options.rpc_zmq_max_port - options.rpc_zmq_min_port;
  return Array.from({ length: Math.min(options.rpc_zmq_bind_port_retries, span) }, () => options.rpc_zmq_min_port + Math.floor(Math.random() * span));
}

/**
 * Reads every message of `socket` until it closes: the one reader of that socket. It calls
 * `receive()` itself rather than going through zeromq.js's async iterator (an async function and a
 * result object more per message), and waits on `onMessage` only when it returns a promise.
 * @internal
 */
export async function readAll(socket: Dealer | Router | import('zeromq').Subscriber, onMessage: (frames: Buffer[]) => void | Promise<void>, describe: string): Promise<void> {
  try {
    while (!socket.closed) {
      const handled = onMessage(await socket.receive());
      if (handled) await handled;
    }
  } catch (error) {
    // A receive pending when the socket closes rejects with EAGAIN: the end of the stream, not a failure.
    if (!socket.closed) log.error(`the reader of ${describe} stopped: ${(error as Error).message}`, { socket: describe });
  }
}

/** A socket's bounded send queue. @internal */
export interface Sender {
  /** Resolves once ZeroMQ took the message; fails with `MessageDeliveryFailure` when the queue is full or the send timed out. */
  send(frames: Frames): Promise<void>;
  /** Messages waiting, those of the send in progress included. */
  readonly queued: number;
  /** Resolves once every send queued so far was handed to ZeroMQ (or failed), or after `waitMs`: what a closing socket waits for. */
  drained(waitMs: number): Promise<void>;
}

interface Pending {
  readonly frames: Frames;
  resolve(): void;
  reject(error: Error): void;
}

/** How long a send waits before it tries again for room, at most. */
const MAX_RETRY_MS = 10;
/**
 * The most messages, and bytes (as string or Buffer lengths), that leave in one ZeroMQ message: the
 * high-water marks count ZeroMQ messages, so this keeps what they hold bounded as before, and a
 * larger message, which gains nothing from company, leaves alone.
 */
const MAX_COALESCED = 64;
const MAX_COALESCED_BYTES = 64 * 1024;

/** A message's bytes as `MAX_COALESCED_BYTES` counts them. */
function sizeOf(frames: Frames): number {
  let bytes = 0;
  for (const frame of frames) bytes += frame.length;
  return bytes;
}

/**
 * `closedError` is what a send fails with once the socket is closed (the transport closed, or the peer left).
 * `addressed`: the first frame of every message names its peer (a ROUTER's routing id, a PUB's
 * topic), and only messages to the same peer leave together, behind one copy of it.
 * An idle socket's send goes to ZeroMQ at once; sends made meanwhile wait in order and leave at
 * the end of the event loop's turn, as many together as `MAX_COALESCED` allows. A send ZeroMQ has
 * no room for (`EAGAIN` at the high-water mark) is tried again, backing off up to `MAX_RETRY_MS`,
 * until `zmq_send_timeout` has passed.
 * @internal
 */
export function createSender(socket: Dealer | Router | import('zeromq').Publisher, options: ZmqOptions, describe: string, closedError: () => Error, addressed = false): Sender {
  const capacity = options.zmq_send_queue;
  const timeoutMs = seconds(options.zmq_send_timeout);
  const waiting: Pending[] = [];
  /** Messages of the send in progress. */
  let sending = 0;
  /** Who waits for the queue to empty. */
  let idle: (() => void)[] = [];

  const failure = (error: unknown) => {
    if (socket.closed) return closedError();
    const code = (error as { code?: string }).code;
    const reason =
      code === 'EAGAIN'
        ? 'the peer took nothing before the send timeout (high-water mark reached, or not connected)'
        : code === 'EHOSTUNREACH'
          ? 'the peer is gone'
          : (error as Error).message;
    return new MessageDeliveryFailure(`cannot send to ${describe}: ${reason}`, { cause: error });
  };

  /**
   * What queued behind a send leaves at the end of the event loop's turn, together with whatever
   * else this turn queues: zeromq.js settles a send at once, and leaving at once would send one
   * message at a time while their senders still run (and a chain of settled sends would starve
   * I/O and timers).
   */
  const sent = (): void => {
    if (waiting.length) void nextTurn().then(startNext);
    else startNext();
  };

  /** Sends `frames`; `firstTry` is when the first attempt was made, for a send tried again. */
  function start(frames: Frames, firstTry?: number): Promise<void> {
    let attempt: Promise<void>;
    try {
      attempt = socket.send(frames as (Buffer | string)[]);
    } catch (error) {
      // A send on a closed socket throws at once instead of rejecting.
      attempt = Promise.reject(error);
    }
    return attempt.then(sent, (error: unknown) => {
      const since = firstTry ?? Date.now();
      const waited = Date.now() - since;
      if ((error as { code?: string }).code === 'EAGAIN' && !socket.closed && waited < timeoutMs) {
        const retryMs = Math.min(MAX_RETRY_MS, waited + 1, timeoutMs - waited);
        return sleep(retryMs).then(() => start(frames, since));
      }
      const failed = failure(error);
      startNext();
      throw failed;
    });
  }

  const samePeer = (a: Frames, b: Frames) => !addressed || a[0] === b[0] || (Buffer.isBuffer(a[0]) && Buffer.isBuffer(b[0]) && a[0].equals(b[0]));

  function startNext(): void {
    const next = waiting.shift();
    if (!next) {
      sending = 0;
      for (const resolve of idle) resolve();
      idle = [];
      return;
    }
    const batch = [next];
    let bytes = sizeOf(next.frames);
    while (batch.length < MAX_COALESCED && waiting.length && samePeer(waiting[0]!.frames, next.frames)) {
      bytes += sizeOf(waiting[0]!.frames);
      if (bytes > MAX_COALESCED_BYTES) break;
      batch.push(waiting.shift()!);
    }
    sending = batch.length;
    if (batch.length === 1) return void start(next.frames).then(next.resolve, next.reject);
    const frames = addressed ? [next.frames[0]!, ...batch.flatMap((pending) => pending.frames.slice(1))] : batch.flatMap((pending) => pending.frames);
    start(frames).then(
      () => {
        for (const pending of batch) pending.resolve();
      },
      (error: Error) => {
        for (const pending of batch) pending.reject(error);
      },
    );
  }

  return {
    send(frames) {
      if (socket.closed) return Promise.reject(closedError());
      if (waiting.length + sending >= capacity)
        return Promise.reject(new MessageDeliveryFailure(`cannot send to ${describe}: its send queue is full (${capacity} messages waiting)`));
      if (!sending) {
        sending = 1;
        return start(frames);
      }
      return new Promise<void>((resolve, reject) => waiting.push({ frames, resolve, reject }));
    },
    get queued() {
      return waiting.length + sending;
    },
    drained(waitMs) {
      if (!sending) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        idle.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
