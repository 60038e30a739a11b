import { asyncScheduler, filter, ignoreElements, map, mergeMap, Observable, pipe, throwError, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { AccessPolicy } from './access-policy.js';
import type { Context } from '../../lib/core/context.js';
import type { IncomingCall, ServerIdentity } from '../../lib/driver/rpc.js';
import { handlerResult, microtaskExecutor, type CallSignal, type Executor } from '../../lib/executors/executor.js';
import { CallCancelled, InvalidArguments, NoSuchMethod, UnsupportedVersion } from '../../lib/core/errors.js';
import type { ErrorClass } from '../../lib/wire/failure.js';
import { getLogger } from '../../lib/core/logger.js';
import { noopSerializer, type Serializer } from '../../lib/core/serializer.js';
import { processSpan, type MessageSpan } from '../../lib/core/tracing.js';
import { boundedMergeMap } from '../bounded-merge-map.js';
import { dropDuplicates } from '../drop-duplicates.js';
import { heartbeat } from './heartbeat.js';
import { inFlight } from './in-flight.js';
import { replyToCaller } from './reply-to-caller.js';
import { selectEndpoint, type Endpoint, type Selection } from './select-endpoint.js';
import { checkedArgs$, checkResults, type ContractSchemas } from './validate.js';
import { checkOption, integerFrom } from '../../lib/core/check-options.js';

/** Options of `dispatch`, and of `rpcServer`. */
export interface DispatchConfig {
  /** Where handlers run and how many at once (default `microtaskExecutor({ concurrency: 64 })`). */
  readonly executor?: Executor;
  /** Turns arguments and the context back from wire values, and results to them (default `noopSerializer`). */
  readonly serializer?: Serializer;
  /** Which methods callers may invoke (default: all but `_`-prefixed ones). */
  readonly accessPolicy?: AccessPolicy;
  /**
   * Ack a request only after its reply is sent, so a crash mid-handler redelivers it. The default,
   * as oslo, is at-most-once: ack on receipt, before the handler runs.
   */
  readonly atLeastOnce?: boolean;
  /**
   * With `atLeastOnce`: a request the transport delivered this many times before (default 5;
   * its server crashed on it each time) is not run again but dead-lettered where the transport
   * can (`deadLetter`), else acked and dropped with a warning. Counted where the transport
   * counts deliveries (memory, RabbitMQ quorum queues); a process that restarts cannot count them.
   */
  readonly maxRedeliveries?: number;
  /** What becomes of a request past `maxRedeliveries`: moved to its queue's dead-letter queue (true, default) where the transport has one, else dropped. */
  readonly deadLetter?: boolean;
  /** Errors that are part of a handler's contract: logged at debug, not as failures. */
  readonly expectedErrors?: readonly ErrorClass[];
  /** How many recent `_unique_id`s to remember to drop redelivered duplicates (default 16). */
  readonly duplicateWindow?: number;
  /** Where callers can reach this server (topic and server), named in its replies so that rx callers can cancel; without it they cannot. */
  readonly identity?: ServerIdentity;
  /** Aborting it gives up every request taken, running or waiting; callers get a `CallCancelled` failure (a stop past its drain deadline). */
  readonly signal?: AbortSignal;
  /** Schemas the arguments pass before the handler runs (else `InvalidArguments`), and each result before it is sent (else `InvalidResult`). */
  readonly contract?: ContractSchemas;
  /** What a traced server's spans name as the messaging system (the driver's name) and destination (the topic); `rpcServer` fills it in. */
  readonly tracing?: { readonly driver: string; readonly destination: string };
  /** Runs the heartbeats; a `TestScheduler` makes them virtual (default `asyncScheduler`). */
  readonly scheduler?: SchedulerLike;
}

/** What became of one request. */
export interface DispatchOutcome {
  readonly incoming: IncomingCall;
  /** The handler's error (already sent to the caller), or why the request could not be served. */
  readonly error?: Error;
}

const log = getLogger('rx-messaging.dispatch');

/**
 * A server as an operator: requests in, outcomes out. Drops duplicates, picks each request's
 * endpoint, runs the handler on the executor while heartbeating to callers that asked for it,
 * and replies with the results or the failure. Stopping the source drains in-flight requests.
 * A request is given up (its handler unsubscribed, its signal aborted) when its caller cancels,
 * when its deadline passes, or when `signal` aborts; one given up before it started never runs.
 *
 * @example
 * transport.listen(target({ topic: 'compute', server: 'host-1' })).pipe(dispatch([computeEndpoint])).subscribe();
 */
export function dispatch(endpoints: readonly Endpoint[], config: DispatchConfig = {}): OperatorFunction<IncomingCall, DispatchOutcome> {
  const {
    executor = microtaskExecutor(),
    serializer = noopSerializer,
    atLeastOnce = false,
    expectedErrors = [],
    contract,
    identity,
    scheduler = asyncScheduler,
    maxRedeliveries = 5,
    deadLetter = true,
  } = config;
  checkOption('dispatch', 'maxRedeliveries', maxRedeliveries, integerFrom(0));
  /** A request that came back too often is given up before it runs (it may be what crashed its servers). */
  const exhausted = (incoming: IncomingCall): boolean => {
    if (!atLeastOnce || (incoming.deliveryCount ?? 0) < maxRedeliveries) return false;
    const fields = { method: incoming.method, msgId: incoming.call?.msgId, uniqueId: incoming.uniqueId, redeliveries: incoming.deliveryCount };
    const moved = deadLetter && incoming.deadLetter;
    (moved ? (incoming.deadLetter as () => Promise<void>)() : incoming.ack()).then(
      () => log.warn(moved ? `moved a request to its dead-letter queue after ${maxRedeliveries} redeliveries` : `dropped a request after ${maxRedeliveries} redeliveries`, fields),
      (error: unknown) => log.warn('could not give up a request', { ...fields, error: String(error) }),
    );
    return true;
  };
  const { driver, destination } = config.tracing ?? { driver: 'unknown', destination: 'unknown' };
  const calls = inFlight({ identity, signal: config.signal, scheduler });
  const invoke = (selection: Selection & { endpoint: number }, context: Context, call: CallSignal, span: MessageSpan | undefined): Observable<unknown> => {
    const { incoming, endpoint, handler } = selection;
    const args =
      serializer === noopSerializer
        ? incoming.args
        : Object.fromEntries(Object.entries(incoming.args).map(([name, value]) => [name, serializer.deserializeEntity(context, value)]));
    const run = (checked: Readonly<Record<string, unknown>>) => {
      const local = () => handlerResult(handler.call(endpoints[endpoint], checked as Record<string, unknown>, context as Record<string, unknown>, call));
      return executor.run({ endpoint, method: incoming.method, params: [checked, context], context, call }, span ? () => span.run(local) : local);
    };
    const results$ = contract ? checkedArgs$(contract, incoming.method, args).pipe(mergeMap(run), checkResults(contract, incoming.method)) : run(args);
    const serialized$ = serializer === noopSerializer ? results$ : results$.pipe(map((value) => serializer.serializeEntity(context, value)));
    const period = beatPeriod(incoming);
    // Most callers ask for no heartbeats: their calls skip the operator and its closures.
    if (period === undefined) return serialized$;
    return serialized$.pipe(
      heartbeat(
        period,
        () => incoming.heartbeat(identity),
        (error) => log.warn('heartbeat to the caller failed', { method: incoming.method, error: String(error) }),
        scheduler,
      ),
    );
  };
  const handle = (selection: Selection): Observable<DispatchOutcome> =>
    new Observable<DispatchOutcome>((subscriber) => {
      const { incoming } = selection;
      const span = processSpan(() => ({ driver, destination, method: incoming.method, messageId: incoming.uniqueId }), incoming.context);
      // At-most-once: the request is settled on receipt, before its handler runs.
      if (!atLeastOnce) incoming.ack().catch((error: unknown) => log.warn('could not ack a request', { method: incoming.method, error: String(error) }));
      const finish = (error?: Error) => {
        span?.end(error);
        if (error) report(incoming, error, expectedErrors);
        const outcome: DispatchOutcome = error ? { incoming, error } : { incoming };
        const emit = () => {
          subscriber.next(outcome);
          subscriber.complete();
        };
        if (atLeastOnce) incoming.ack().then(emit, (ackError: unknown) => subscriber.error(ackError));
        else emit();
      };
      const served$ = calls.serve(incoming, (call) => {
        const context = serializer.deserializeContext(incoming.context as Record<string, unknown>);
        const results$ = selection.error ? throwError(() => selection.error) : invoke(selection, context, call, span);
        return incoming.call ? results$.pipe(replyToCaller(incoming, identity)) : results$.pipe(ignoreElements());
      });
      return served$.subscribe({ error: (error: Error) => finish(error), complete: () => finish() });
    });
  return pipe(
    calls.takeCancels,
    dropDuplicates<IncomingCall>({
      key: (incoming) => incoming.uniqueId,
      size: config.duplicateWindow,
      onDuplicate: (incoming) => {
        log.debug('dropped a duplicate message', { method: incoming.method, uniqueId: incoming.uniqueId });
        void incoming.ack();
      },
    }),
    filter((incoming) => !exhausted(incoming)),
    calls.track,
    selectEndpoint(endpoints, config.accessPolicy ? { accessPolicy: config.accessPolicy } : {}),
    boundedMergeMap(handle, executor.concurrency),
  );
}

/**
 * The shortest time between two heartbeats to a caller, whatever its `callMonitorTimeout` says:
 * at most 10 a second per call, yet under half of oslo's smallest whole-second monitor timeout.
 */
const MIN_HEARTBEAT_PERIOD_MS = 100;
/** The longest a timer waits (2^31 - 1 ms); Node would fire a longer one after 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** Servers heartbeat at half the caller's `callMonitorTimeout`, never more often than the floor: a caller cannot make a server flood it. */
function beatPeriod(incoming: IncomingCall): number | undefined {
  const monitor = incoming.call?.callMonitorTimeout;
  return monitor ? Math.min(MAX_TIMER_MS, Math.max(MIN_HEARTBEAT_PERIOD_MS, monitor / 2)) : undefined;
}

function report(incoming: IncomingCall, error: Error, expected: readonly ErrorClass[]): void {
  const fields = { method: incoming.method, msgId: incoming.call?.msgId, error: `${error.name}: ${error.message}` };
  if (expected.some((cls) => error instanceof cls)) log.debug('handler raised an expected error', fields);
  else if (error instanceof CallCancelled) log.debug('the call was given up', { ...fields, why: error.why });
  else if (error instanceof NoSuchMethod || error instanceof UnsupportedVersion)
    log.warn('no endpoint serves the request', { ...fields, namespace: incoming.namespace, version: incoming.version });
  else if (error instanceof InvalidArguments) log.warn('refused a request whose arguments fail the contract', { ...fields, issues: error.issues });
  else log.error('exception during message handling', { ...fields, stack: error.stack });
}
