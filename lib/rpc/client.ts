/**
 * The RPC client: `call` (a Promise), `call$` (a cold Observable of every value the server
 * streams), `cast` and fanout cast, and `prepare` for per-call overrides. A call is a
 * correlated slice of the transport's one reply stream, with timeouts as operators. A call given
 * up before its end (unsubscribed, aborted, timed out) is cancelled on the rx server that took it.
 */
import { asyncScheduler, defer, finalize, from, lastValueFrom, map, type Observable, switchMap, type SchedulerLike } from 'rxjs';
import { callTimeout } from '../../operators/rpc/call-timeout.js';
import { abortWith, cancelOnServer } from '../../operators/rpc/cancel.js';
import { correlate } from '../../operators/rpc/correlate.js';
import { replyResults } from '../../operators/rpc/reply-results.js';
import { checkArgs } from '../../operators/rpc/validate.js';
import type { Context } from '../core/context.js';
import type { ReplyChannel, RpcRequest, ServerIdentity } from '../driver/rpc.js';
import type { CallSignal } from '../executors/executor.js';
import { CallLimitExceeded, RpcVersionCapError } from '../core/errors.js';
import type { ErrorClass } from '../wire/failure.js';
import { hexId } from '../core/ids.js';
import { isRecord } from '../core/record.js';
import { checkOptions, integerFrom, isBoolean, isErrorClasses, isScheduler, isSerializer, isString, objectWith, positiveNumber } from '../core/check-options.js';
import { noopSerializer, type Serializer } from '../core/serializer.js';
import { assertTargetFor, describeTarget, isTargetField, retarget, target as makeTarget, type Target } from '../core/target.js';
import { driverOf, requireCapability, type Transport } from '../transport.js';
import { versionIsCompatible } from '../core/version.js';
import { endingSpan, endingWith, sendSpan, withTraceContext, type MessageSpan } from '../core/tracing.js';
import type { ClientApiOf, RpcContract } from './contract.js';

/** A remote API: method names to handlers taking `(args, context)`. */
// biome-ignore lint/suspicious/noExplicitAny: an untyped API takes any arguments, and a typed API's methods (args: {...}) must still fit it, which `unknown` parameters would refuse
export type RpcApi = { readonly [method: string]: (args: any, context?: any, call?: CallSignal) => unknown };

/** The method names of an API type. */
export type MethodOf<Api> = Extract<keyof Api, string>;
/** The `args` object a method of an API type takes; any object of named arguments for an untyped API. */
export type ArgsOf<Api, M extends keyof Api> = Api[M] extends (args: infer A, ...rest: never[]) => unknown ? A : Record<string, unknown>;
/** What a call resolves to: the handler's value, the resolved Promise, or each Observable value. */
export type ResultOf<Api, M extends keyof Api> = Api[M] extends (...params: never[]) => infer R ? (R extends Observable<infer V> ? V : Awaited<R>) : unknown;

/** How an RPC client sends; `prepare` overrides all but the serializer, the allowed errors and the scheduler. */
export interface RpcClientOptions {
  /** Overall time a call waits for its reply, in ms (default 60 000, oslo's `rpc_response_timeout`). */
  readonly timeout?: number;
  /** Give a call up when the server sent no heartbeat for this many ms (sent as oslo's `_timeout`, in seconds); servers heartbeat at half of it. */
  readonly callMonitorTimeout?: number;
  /** The highest version this client may send. */
  readonly versionCap?: string;
  /** Connection retries for a send: undefined or -1 forever, 0 none, N retries. */
  readonly retry?: number;
  /** Fail with `MessageUndeliverable` at once when no server can receive the message. */
  readonly atLeastOnce?: boolean;
  /** Turns arguments, results and the context to wire values and back (default `noopSerializer`). */
  readonly serializer?: Serializer;
  /** Error classes a remote failure may be rebuilt as; others arrive as `RemoteError`. */
  readonly allowedRemoteErrors?: readonly ErrorClass[];
  /** For timeouts; a `TestScheduler` makes them virtual. */
  readonly scheduler?: SchedulerLike;
  /** Types the client from `contract()`'s schemas and checks arguments before sending (`InvalidArguments`, nothing sent). */
  readonly contract?: RpcContract;
  /**
   * The most calls this client (and the clients `prepare` makes of it) has waiting for their
   * replies at once; one more fails at once with `CallLimitExceeded`, nothing sent (default unlimited).
   */
  readonly maxInFlight?: number;
}

/** Per call: `signal` gives the call up when aborted (the promise rejects with its reason, and the server's handler is cancelled). */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** What `prepare` may change: the target's fields and the per-call options. */
export type PrepareOptions = Target & Omit<RpcClientOptions, 'serializer' | 'allowedRemoteErrors' | 'scheduler' | 'contract' | 'maxInFlight'>;

/** Calls and casts to one target; `Api` types the methods, their arguments and results. */
export interface RpcClient<Api = RpcApi> {
  /** Where it sends, as checked by `target()`. */
  readonly target: Target;
  /** The options it was made (or prepared) with. */
  readonly options: Readonly<RpcClientOptions>;
  /** Calls `method` and resolves to its result (the last value, if the server streams). */
  call<M extends MethodOf<Api>>(method: M, args?: ArgsOf<Api, M>, context?: Context, options?: CallOptions): Promise<ResultOf<Api, M>>;
  /** Cold: each subscription sends one call and emits every value the server streams; unsubscribing before the end cancels it. */
  call$<M extends MethodOf<Api>>(method: M, args?: ArgsOf<Api, M>, context?: Context): Observable<ResultOf<Api, M>>;
  /** Sends without waiting for a result; with a `fanout` target every server receives it. */
  cast<M extends MethodOf<Api>>(method: M, args?: ArgsOf<Api, M>, context?: Context): Promise<void>;
  /** A client with some target fields or options overridden; this one is unchanged. */
  prepare(overrides: PrepareOptions): RpcClient<Api>;
  /** Whether `version` (default the target's) is within the version cap. */
  canSendVersion(version?: string): boolean;
}

const DEFAULT_TIMEOUT = 60_000;
/** A cancel is worth one attempt: the server gives the call up at its deadline anyway. */
const CANCEL_SEND_OPTIONS = { retry: 0 };

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * An RPC client of `target` over `transport`: `call` resolves to the result, `call$` streams
 * every value, `cast` sends without waiting. A call fails with `MessagingTimeout` after
 * `timeout` ms, with the remote error rebuilt (or `RemoteError`) when the handler threw. With
 * a `contract` (`contract()`), methods, arguments and results are typed from its schemas, and
 * arguments are checked before sending.
 *
 * @example
 * ```ts
 * interface ComputeApi { resize(args: { instance: string; flavor: string }): Promise<{ ok: boolean }> }
 * const compute = rpcClient<ComputeApi>(transport, target({ topic: 'compute', version: '1.2' }), { timeout: 30_000 });
 * const { ok } = await compute.call('resize', { instance: 'vm-1', flavor: 'large' });
 * await compute.prepare({ server: 'host-1' }).cast('resize', { instance: 'vm-2', flavor: 'small' });
 * ```
 */
export function rpcClient<C extends RpcContract>(transport: Transport, target: Target, options: RpcClientOptions & { readonly contract: C }): RpcClient<ClientApiOf<C>>;
/** A client of `Api`, the interface of the remote methods (untyped by default). */
export function rpcClient<Api = RpcApi>(transport: Transport, target: Target, options?: RpcClientOptions): RpcClient<Api>;
export function rpcClient<Api = RpcApi>(transport: Transport, target: Target, options: RpcClientOptions = {}): RpcClient<Api> {
  return clientOf(transport, target, options, { calls: 0 });
}

const CLIENT_OPTIONS = {
  timeout: positiveNumber,
  callMonitorTimeout: positiveNumber,
  versionCap: isString,
  retry: integerFrom(-1),
  atLeastOnce: isBoolean,
  serializer: isSerializer,
  allowedRemoteErrors: isErrorClasses,
  scheduler: isScheduler,
  contract: objectWith('a contract made by contract()'),
  maxInFlight: integerFrom(1),
} satisfies Record<keyof RpcClientOptions, unknown>;

/** A client counting its calls in `inFlight`, which the clients it prepares share. */
function clientOf<Api>(transport: Transport, target: Target, options: RpcClientOptions, inFlight: { calls: number }): RpcClient<Api> {
  checkOptions('rpcClient', options, CLIENT_OPTIONS);
  const checked = makeTarget(target);
  const { maxInFlight = Number.POSITIVE_INFINITY } = options;
  const { timeout = DEFAULT_TIMEOUT, serializer = noopSerializer, scheduler = asyncScheduler } = options;
  const driver = driverOf(transport);
  if (options.atLeastOnce)
    requireCapability(
      transport,
      'undeliverableDetection',
      'an rpcClient with atLeastOnce',
      'leave atLeastOnce off (a call nobody receives then fails with MessagingTimeout), or connect to a broker transport (rabbit://)',
    );

  // The channel is the transport's for its lifetime: after the first call, take it without a Promise hop.
  // Its address and replies$ are read afresh for each call, since the driver may move it to a fresh queue.
  let channel: ReplyChannel | undefined;
  const replyChannel = () => driver.replyChannel().then((opened) => (channel = opened));

  const canSendVersion = (version = checked.version) => !options.versionCap || !version || versionIsCompatible(options.versionCap, version);

  const request = (method: string, args: Record<string, unknown> | undefined, context: Context, call?: RpcRequest['call'], span?: MessageSpan, uniqueId = hexId()): RpcRequest => {
    if (typeof method !== 'string' || !method) throw new TypeError(`method must be a non-empty string, got ${JSON.stringify(method)}`);
    if (args !== undefined && !isRecord(args)) {
      throw new TypeError(`args of ${method} must be an object of named arguments, got ${JSON.stringify(args)}`);
    }
    if (!canSendVersion()) throw new RpcVersionCapError(checked.version!, options.versionCap!);
    // Built field by field: object spreads are slow on this path, which every message takes.
    const message: Writable<RpcRequest> = { method, args: serializeArgs(args ?? {}, context), context: withTraceContext(serializer.serializeContext(context), span), uniqueId };
    if (checked.namespace !== undefined) message.namespace = checked.namespace;
    if (checked.version !== undefined) message.version = checked.version;
    if (call) message.call = call;
    return message;
  };
  const serializeArgs = (args: Record<string, unknown>, context: Context) =>
    serializer === noopSerializer ? args : Object.fromEntries(Object.entries(args).map(([name, value]) => [name, serializer.serializeEntity(context, value)]));
  // The arguments as the contract sees them; what is sent is what the caller gave, the server checks (and transforms) them again.
  const { contract } = options;
  const argsChecked = (method: string, args: Record<string, unknown> | undefined) => (contract && isRecord(args ?? {}) ? checkArgs(contract, method, args ?? {}) : undefined);
  const targetName = describeTarget(checked);
  const sendOptions = { ...(options.retry !== undefined && { retry: options.retry }), ...(options.atLeastOnce !== undefined && { atLeastOnce: options.atLeastOnce }) };

  const sendCancel = (server: ServerIdentity, cancel: RpcRequest) => driver.send(makeTarget(server), cancel, CANCEL_SEND_OPTIONS);
  /** `cancellable`: the caller may give the call up before its timeout, so the server is asked to name itself at once. */
  /** A call's results, built (and its checks run) when it is subscribed; throws what refuses the call. */
  const results$ = (method: string, args: Record<string, unknown> | undefined, context: Context = {}, cancellable: boolean): Observable<unknown> => {
    assertTargetFor('call', checked);
    // Failing at once, rather than queueing, leaves the caller to choose: wait, shed or retry later.
    if (inFlight.calls >= maxInFlight) throw new CallLimitExceeded(method, maxInFlight);
    const msgId = hexId();
    const uniqueId = hexId();
    const span = sendSpan(() => ({ driver: driver.name, destination: checked.topic!, method, messageId: uniqueId }));
    const deadline = Date.now() + timeout;
    const exchange = (opened: ReplyChannel) => {
      const call: Writable<NonNullable<RpcRequest['call']>> = { msgId, replyTo: opened.address, timeoutMs: timeout, deadline };
      if (options.callMonitorTimeout !== undefined) call.callMonitorTimeout = options.callMonitorTimeout;
      if (cancellable) call.cancellable = true;
      const message = request(method, args, context, call, span, uniqueId);
      return opened.replies$.pipe(
        correlate(msgId, () => driver.send(checked, message, sendOptions), opened.lost$),
        cancelOnServer({ msgId, deadline, replies$: opened.replies$, send: sendCancel, scheduler }),
      );
    };
    const pending = argsChecked(method, args);
    const results$ = (channel ? exchange(channel) : from(replyChannel()).pipe(switchMap(exchange))).pipe(
      callTimeout({ timeout, callMonitorTimeout: options.callMonitorTimeout, method, msgId, target: targetName, scheduler }),
      replyResults(options.allowedRemoteErrors),
    );
    const valued$ = serializer === noopSerializer ? results$ : results$.pipe(map((result) => serializer.deserializeEntity(context, result)));
    const after$ = pending instanceof Promise ? from(pending).pipe(switchMap(() => valued$)) : valued$;
    // Counted from here, where nothing throws any more, to the end however it comes; only a client with a limit counts.
    if (maxInFlight !== Number.POSITIVE_INFINITY) inFlight.calls++;
    const checked$ = maxInFlight === Number.POSITIVE_INFINITY ? after$ : after$.pipe(finalize(() => inFlight.calls--));
    return span ? checked$.pipe(endingSpan(span)) : checked$;
  };
  const call$ = (method: string, args: Record<string, unknown> | undefined, context: Context | undefined, cancellable: boolean): Observable<unknown> =>
    defer(() => results$(method, args, context, cancellable));

  const client: RpcClient<RpcApi> = {
    target: checked,
    options,
    call: (method, args, context, callOptions) => {
      const signal = callOptions?.signal;
      // Subscribed at once, so built at once: a `defer` would only add a subscription to every call.
      let called$: Observable<unknown>;
      try {
        called$ = signal
          ? call$(method, args as Record<string, unknown> | undefined, context, true).pipe(abortWith(signal))
          : results$(method, args as Record<string, unknown> | undefined, context, false);
      } catch (error) {
        return Promise.reject(error);
      }
      return lastValueFrom(called$, { defaultValue: null }) as Promise<never>;
    },
    call$: (method, args, context) => call$(method, args as Record<string, unknown> | undefined, context, true) as Observable<never>,
    async cast(method, args, context = {}) {
      assertTargetFor('cast', checked);
      const uniqueId = hexId();
      const span = sendSpan(() => ({ driver: driver.name, destination: checked.topic!, method, messageId: uniqueId }));
      const send = async () => {
        const pending = argsChecked(method, args as Record<string, unknown> | undefined);
        if (pending instanceof Promise) await pending;
        await driver.send(checked, request(method, args as Record<string, unknown> | undefined, context, undefined, span, uniqueId), sendOptions);
      };
      await (span ? endingWith(span, send()) : send());
    },
    prepare(overrides) {
      const targetOverrides: Record<string, unknown> = {};
      const optionOverrides: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(overrides)) {
        if (value === undefined) continue;
        (isTargetField(key) ? targetOverrides : optionOverrides)[key] = value;
      }
      return clientOf(transport, retarget(checked, targetOverrides as Target), { ...options, ...optionOverrides }, inFlight) as RpcClient<never>;
    },
    canSendVersion,
  };
  return client as unknown as RpcClient<Api>;
}
