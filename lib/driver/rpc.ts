/**
 * The RPC part of the driver contract: sending calls and casts, the shared reply channel, and the
 * stream an RPC server consumes.
 */
import type { Observable } from 'rxjs';
import type { Context } from '../core/context.js';
import type { Target } from '../core/target.js';
import type { ListenOptions } from './listen.js';

/** oslo's serialized exception: what a failed handler sends back to its caller. */
export interface RemoteFailure {
  /** The error's class name, e.g. 'ValueError' or 'NoSuchMethod'. */
  readonly class: string;
  /** Where the class is defined (a Python module, or rx-messaging's dispatcher module). */
  readonly module: string;
  readonly message: string;
  /** The traceback, as lines. */
  readonly tb: readonly string[];
  /** The exception's positional arguments. */
  readonly args: readonly unknown[];
  /** The exception's keyword arguments: a JavaScript error's own enumerable fields. */
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** The JavaScript class and fields of an error sent as a Python built-in (oslo ignores the key). */
  readonly javascript?: { readonly class: string; readonly kwargs: Readonly<Record<string, unknown>> };
}

/** What a call or cast carries, besides its target. */
export interface RpcRequest {
  readonly method: string;
  /** The method's keyword arguments. */
  readonly args: Readonly<Record<string, unknown>>;
  readonly context: Context;
  /** The target namespace the method is called in; undefined is the null namespace. */
  readonly namespace?: string;
  /** The API version the caller speaks, "X.Y[.rev]". */
  readonly version?: string;
  /** Fresh per message; receivers drop a repeat of one of the last ids they saw. */
  readonly uniqueId: string;
  /** Present on calls: where and how to reply. */
  readonly call?: {
    /** The call's id: its replies carry it. */
    readonly msgId: string;
    /** The reply address of the caller's transport (`ReplyChannel.address`). */
    readonly replyTo: string;
    /** Overall timeout in ms: a request nobody took by then expires. */
    readonly timeoutMs: number;
    /** In ms, as the client's option (oslo's `_timeout` carries it in seconds): a silent server is given up after it; servers heartbeat at half of it. */
    readonly callMonitorTimeout?: number;
    /** When the caller stops waiting, in ms since the epoch (rx-messaging's `_rxm_deadline`; oslo sends none and ignores it). */
    readonly deadline?: number;
    /** The caller may cancel: an rx server names itself at once, in a heartbeat, so the cancel can reach it (`_rxm_cancellable`). */
    readonly cancellable?: boolean;
  };
}

/** Where an rx server can be reached: the topic and server (and exchange) of its first target. */
export interface ServerIdentity {
  readonly exchange?: string;
  readonly topic: string;
  readonly server: string;
}

/** How a driver sends one call or cast. */
export interface SendOptions {
  /** Connection attempts beyond the first: `undefined`/-1 forever, 0 none, N retries. */
  readonly retry?: number;
  /** Fail with `MessageUndeliverable` at once when no queue can take the message (capability `undeliverableDetection`). */
  readonly atLeastOnce?: boolean;
}

/** One reply message for a call: a streamed value, a heartbeat (`ending: false`, no result), or the end. */
export interface Reply {
  /** The call it answers. */
  readonly msgId: string;
  /** A value the handler produced; null on heartbeats and failures. */
  readonly result: unknown;
  /** The handler's error, when it failed. */
  readonly failure: RemoteFailure | null;
  /** True on the call's last reply. */
  readonly ending: boolean;
  /** The rx server that sent it (`_rxm_server`, which oslo ignores): where a cancel of the call goes. Absent from a call's last reply and from oslo servers. */
  readonly server?: ServerIdentity;
}

/**
 * The transport's one reply queue or socket, shared by every call it makes. A driver may move it
 * (an AMQP reply queue whose cluster node is lost is replaced by a fresh one): `address` and
 * `replies$` then change together, so read both for each call. The old `replies$` fails, which
 * fails the calls still waiting on it.
 */
export interface ReplyChannel {
  /** What requests carry as `replyTo` (oslo's `_reply_q`): the AMQP reply queue's name, for one. */
  readonly address: string;
  /** Hot: every reply that arrives on `address`, for any call. */
  readonly replies$: Observable<Reply>;
  /**
   * Hot: calls whose replies can no longer come (the connection a call went out on was lost,
   * ZeroMQ's case), each with the error its caller fails with at once instead of at its timeout.
   * Absent where the driver cannot tell one call's loss from another's.
   */
  readonly lost$?: Observable<LostCall>;
}

/** A call its reply channel can no longer answer, and why. */
export interface LostCall {
  readonly msgId: string;
  readonly error: Error;
}

/** A call or cast received by a server. */
export interface IncomingCall extends RpcRequest {
  /** True when the transport delivered this message before (it was requeued or not acked). */
  readonly redelivered: boolean;
  /** Settles the message: the transport forgets it. */
  ack(): Promise<void>;
  /** Gives the message back for another delivery; rejects with `UnsupportedCapability` where the driver cannot (capability `requeue`). */
  requeue(): Promise<void>;
  /** How many times the transport delivered this message before, where it counts them (memory, RabbitMQ quorum queues' `x-delivery-count`). */
  readonly deliveryCount?: number;
  /** Settles the message by moving it to its queue's dead-letter queue (`deadLetterQueue`), where the driver has one. */
  deadLetter?(): Promise<void>;
  /** Sends one reply message to the caller; no-op for casts. */
  reply(reply: Omit<Reply, 'msgId'>): Promise<void>;
  /** Tells the caller the call is still being worked on (a reply without result, not ending), naming `server` if given. */
  heartbeat(server?: ServerIdentity): Promise<void>;
}

/** The RPC part of a driver. */
export interface RpcDriver {
  /** Publishes a call or cast to `target`; resolves once the transport accepted it. */
  send(target: Target, request: RpcRequest, options?: SendOptions): Promise<void>;
  /** The reply channel, created on first use and kept (and restored after reconnects) until close. */
  replyChannel(): Promise<ReplyChannel>;
  /** Consumes what an RPC server with `target` (topic and server) receives: topic, server and fanout messages. */
  listen(target: Target, options?: ListenOptions): Observable<IncomingCall>;
}
