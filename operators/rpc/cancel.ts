/**
 * The caller's side of cancellation: a call given up before its end (unsubscribed, aborted,
 * timed out) is cancelled on the rx server that took it, with an `_rxm_cancel` cast to the
 * server its replies named. An oslo server names none, so it is sent nothing.
 */
import { asyncScheduler, Observable, take, timer, takeUntil, type MonoTypeOperatorFunction, type SchedulerLike, type Subscriber, type Unsubscribable } from 'rxjs';
import { hexId } from '../../lib/core/ids.js';
import { getLogger } from '../../lib/core/logger.js';
import type { Reply, RpcRequest, ServerIdentity } from '../../lib/driver/rpc.js';
import { CANCEL_METHOD } from '../../lib/wire/rpc.js';
import { EndingRelay } from './ending-relay.js';
import { replyRouter } from './reply-router.js';

export interface CancelOnServerConfig {
  readonly msgId: string;
  /** When the call's caller stops waiting, in ms since the epoch: the server gives the call up then by itself. */
  readonly deadline: number;
  /** The shared reply stream the call's replies come from: where a server that had not named itself yet is heard. */
  readonly replies$: Observable<Reply>;
  /** Sends the cancel cast to the server that named itself. */
  readonly send: (server: ServerIdentity, request: RpcRequest) => Promise<void>;
  readonly scheduler?: SchedulerLike;
}

const log = getLogger('rx-messaging.rpc-client');

/** The cast that cancels call `msgId` on the rx server that took it. */
export function cancelRequest(msgId: string): RpcRequest {
  return { method: CANCEL_METHOD, args: { msg_id: msgId }, context: {}, uniqueId: hexId() };
}

/**
 * Passes a call's replies on; when unsubscribed before the ending reply, sends `_rxm_cancel` to
 * the server the replies named. When none had arrived yet, the first one still to come (until
 * the deadline) says where: an rx server asked for it names itself at once in a heartbeat.
 *
 * @example
 * replies$.pipe(correlate(msgId, send), cancelOnServer({ msgId, deadline, replies$, send: (server, cancel) => driver.send(server, cancel) }))
 */
export function cancelOnServer(config: CancelOnServerConfig): MonoTypeOperatorFunction<Reply> {
  return (source) =>
    new Observable<Reply>((subscriber) => {
      const watch = new CancelWatch(config, subscriber);
      watch.inner = source.subscribe(watch);
      return watch;
    });
}

/**
 * One call's replies passed on, and what its end sends: the observer of the replies (noting the
 * server that named itself, and whether the call ended) and the teardown, one object a call.
 */
class CancelWatch extends EndingRelay<Reply> implements Unsubscribable {
  private server: ServerIdentity | undefined = undefined;
  constructor(
    private readonly config: CancelOnServerConfig,
    subscriber: Subscriber<Reply>,
  ) {
    super(subscriber);
  }
  override next(reply: Reply): void {
    this.server ??= reply.server;
    // The subscriber may unsubscribe on this very reply (a failure): the call had ended all the same.
    if (reply.ending) this.ended = true;
    this.subscriber.next(reply);
  }
  unsubscribe(): void {
    this.inner?.unsubscribe();
    if (this.ended) return;
    const { msgId, deadline, replies$, scheduler = asyncScheduler } = this.config;
    if (this.server) return void sendCancel(this.config, this.server);
    const waitMs = deadline - Date.now();
    if (waitMs <= 0) return;
    replyRouter(replies$)
      .repliesFor(msgId)
      .pipe(take(1), takeUntil(timer(waitMs, scheduler)))
      .subscribe({ next: (reply) => reply.server && !reply.ending && void sendCancel(this.config, reply.server), error: () => undefined });
  }
}

function sendCancel({ msgId, send }: CancelOnServerConfig, server: ServerIdentity): Promise<void> {
  return send(server, cancelRequest(msgId)).catch((error: unknown) =>
    log.debug('could not send a cancel', { msgId, server: `${server.topic}.${server.server}`, error: String(error) }),
  );
}

/**
 * Fails with `signal.reason` when `signal` aborts, unsubscribing the source first (which, on a
 * call, cancels it); an already aborted signal fails at once, before the source is subscribed.
 */
export function abortWith<T>(signal: AbortSignal): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      if (signal.aborted) return subscriber.error(signal.reason);
      const onAbort = () => {
        inner.unsubscribe();
        subscriber.error(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      // An observer of its own, not `subscriber`: unsubscribing the source must leave `subscriber` open for the reason.
      const inner = source.subscribe({ next: (value) => subscriber.next(value), error: (error: unknown) => subscriber.error(error), complete: () => subscriber.complete() });
      return () => {
        signal.removeEventListener('abort', onAbort);
        inner.unsubscribe();
      };
    });
}
