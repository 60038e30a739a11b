/**
 * A server's requests in flight, so that each can be given up: when its caller cancels (the
 * `_rxm_cancel` cast an rx client sends the server that named itself), when its deadline passes,
 * or when the server stops past its drain deadline. Every request is tracked as it is taken, before
 * it waits for a handler slot, so one cancelled or expired while it waited is dropped unread.
 */
import { asyncScheduler, filter, Observable, tap, throwError, type MonoTypeOperatorFunction, type SchedulerLike, type Subscriber, type Unsubscribable } from 'rxjs';
import { CallCancelled } from '../../lib/core/errors.js';
import { getLogger } from '../../lib/core/logger.js';
import { scheduleTimeout } from '../../lib/core/shared-timeouts.js';
import type { IncomingCall, ServerIdentity } from '../../lib/driver/rpc.js';
import type { CallSignal } from '../../lib/executors/executor.js';
import { toFailure } from '../../lib/wire/failure.js';
import { CANCEL_METHOD } from '../../lib/wire/rpc.js';
import { EndingRelay } from './ending-relay.js';

export interface InFlightConfig {
  /** Where this server can be reached: named in its replies and heartbeats, it lets rx callers send their cancels. */
  readonly identity?: ServerIdentity;
  /** Aborting it gives up every request taken (a stop past its drain deadline); callers still waiting get a `CallCancelled` failure. */
  readonly signal?: AbortSignal;
  /** For deadlines; a `TestScheduler` makes them virtual. */
  readonly scheduler?: SchedulerLike;
}

export interface InFlight {
  /** Takes `_rxm_cancel` casts out of the stream, acking each and cancelling the call it names. */
  readonly takeCancels: MonoTypeOperatorFunction<IncomingCall>;
  /** Gives each request its signal and deadline, and names this server at once to a caller that may cancel. */
  readonly track: MonoTypeOperatorFunction<IncomingCall>;
  /**
   * Runs `served` (the handler and its replies) for a tracked request until it is given up: then
   * it is unsubscribed (a request given up before it started is never run) and the result fails
   * with the `CallCancelled`, after it was sent to a caller still waiting (the server stopped).
   */
  serve<T>(incoming: IncomingCall, served: (call: CallSignal) => Observable<T>): Observable<T>;
}

interface Entry {
  readonly incoming: IncomingCall;
  readonly deadline: number | undefined;
  /** Why it was given up, once it was. */
  reason: CallCancelled | undefined;
  /** Made when a handler first reads its signal: most never do, and a controller per call is a cost every call pays. */
  controller: AbortController | undefined;
  /** The relay serving it, while it runs: what stops serving once the request is given up. */
  serving: Relay<unknown> | undefined;
  /** Its neighbours in the list of requests taken, which a stop walks. */
  prev: Entry | undefined;
  next: Entry | undefined;
}

const log = getLogger('rx-messaging.dispatch');

/** Gives a request up once: its signal (if a handler made one) aborts and serving stops. */
function giveUpEntry(entry: Entry, reason: CallCancelled): void {
  if (entry.reason) return;
  entry.reason = reason;
  entry.controller?.abort(reason);
  entry.serving?.giveUp();
}

function signalOf(entry: Entry): AbortSignal {
  if (!entry.controller) {
    entry.controller = new AbortController();
    if (entry.reason) entry.controller.abort(entry.reason);
  }
  return entry.controller.signal;
}

/** A tracked request's `CallSignal`; a class, so its lazy `signal` is one shape for every call rather than an accessor defined per call. */
class TrackedCall implements CallSignal {
  readonly deadline: number | undefined;
  constructor(private readonly entry: Entry) {
    this.deadline = entry.deadline;
  }
  get signal(): AbortSignal {
    return signalOf(this.entry);
  }
}

/**
 * Serving one tracked request: the observer of its served stream, an observer of its own rather
 * than `subscriber` (unsubscribing the handler must leave `subscriber` open for the reason), the
 * teardown, and what gives it up; one object a request instead of a closure for each of those.
 * Not a closure on the entry either: V8 makes a function literal assigned to a property in old
 * space until its code is optimized, and each request's closure then held its scope (the request,
 * its selection, its subscribers) through every scavenge, until V8 pretenured the requests.
 */
class Relay<T> extends EndingRelay<T> implements Unsubscribable {
  timer: Unsubscribable | undefined = undefined;
  constructor(
    subscriber: Subscriber<T>,
    private readonly entry: Entry,
    private readonly release: (entry: Entry) => void,
    private readonly stopServing: (entry: Entry, subscriber: Subscriber<unknown>) => void,
  ) {
    super(subscriber);
  }
  giveUp(): void {
    this.inner?.unsubscribe();
    this.stopServing(this.entry, this.subscriber);
  }
  unsubscribe(): void {
    this.timer?.unsubscribe();
    this.entry.serving = undefined;
    this.inner?.unsubscribe();
    this.release(this.entry);
  }
}

/** The signal of a request nothing tracks: it never aborts. */
const UNTRACKED: CallSignal = { signal: new AbortController().signal, deadline: undefined };

export function inFlight({ identity, signal: stop, scheduler = asyncScheduler }: InFlightConfig = {}): InFlight {
  // No Map or Set for what fills and empties with every request: such a table re-tables itself
  // as it does, each old table (soon in old space) links the new one, and young requests then
  // survive scavenges through dead tables, promoted by the thousand (a GC cost larger than the
  // rest of the table's work). A WeakMap finds a request's entry, a list holds them all.
  const entries = new WeakMap<IncomingCall, Entry>();
  let first: Entry | undefined;
  /**
   * The newest entry of the call `msgId`, found by walking the list: a cancel is rare, while an
   * index by id would cost every request a string-keyed insert and delete (the id internalized first).
   */
  const entryOf = (msgId: string) => {
    for (let entry = first; entry; entry = entry.next) if (entry.incoming.call?.msgId === msgId) return entry;
    return undefined;
  };
  const unlink = (entry: Entry) => {
    if (entry.prev) entry.prev.next = entry.next;
    else if (first === entry) first = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    entry.prev = entry.next = undefined;
  };
  const cancelled = ({ method, call }: IncomingCall, why: CallCancelled['why'], options?: ErrorOptions) =>
    new CallCancelled(why, call ? { method, msgId: call.msgId } : { method }, options);
  const stopped = (incoming: IncomingCall) => cancelled(incoming, 'stopped', { cause: stop?.reason });
  stop?.addEventListener(
    'abort',
    () => {
      const taken: Entry[] = [];
      for (let entry = first; entry; entry = entry.next) taken.push(entry);
      for (const entry of taken) giveUpEntry(entry, stopped(entry.incoming));
    },
    { once: true },
  );

  const takeCancels = filter<IncomingCall>((incoming) => {
    if (incoming.method !== CANCEL_METHOD || incoming.call) return true;
    incoming.ack().catch((error: unknown) => log.warn('could not ack a cancel', { error: String(error) }));
    const msgId = incoming.args['msg_id'];
    const entry = typeof msgId === 'string' ? entryOf(msgId) : undefined;
    if (entry) giveUpEntry(entry, cancelled(entry.incoming, 'cancelled'));
    else log.debug('a cancel named no call in flight (it had ended)', { msgId });
    return false;
  });

  const track = tap<IncomingCall>((incoming) => {
    const { call } = incoming;
    // A caller that sent no deadline (oslo's) stops waiting at most its message expiry after it sent the call.
    const deadline = call ? (call.deadline ?? (call.timeoutMs > 0 ? Date.now() + call.timeoutMs : undefined)) : undefined;
    // Every field set at once: one object shape for every request.
    const entry: Entry = { incoming, deadline, reason: undefined, controller: undefined, serving: undefined, prev: undefined, next: first };
    const earlier = entries.get(incoming);
    if (earlier) unlink(earlier);
    if (first) first.prev = entry;
    first = entry;
    entries.set(incoming, entry);
    if (stop?.aborted) giveUpEntry(entry, stopped(incoming));
    else if (call?.cancellable && identity)
      incoming.heartbeat(identity).catch((error: unknown) => log.warn('could not tell a caller where to cancel', { method: incoming.method, error: String(error) }));
  });

  const release = (entry: Entry) => {
    if (entries.get(entry.incoming) === entry) {
      entries.delete(entry.incoming);
      unlink(entry);
    }
  };

  const fieldsOf = (incoming: IncomingCall) => ({ method: incoming.method, msgId: incoming.call?.msgId });
  // Fails with why it was given up, once a caller still waiting was told.
  const giveUp = (incoming: IncomingCall, subscriber: Subscriber<unknown>, reason: CallCancelled) => {
    if (reason.why !== 'stopped' || !incoming.call) return subscriber.error(reason);
    incoming.reply({ result: null, failure: toFailure(reason), ending: true }).then(
      () => subscriber.error(reason),
      (error: unknown) => subscriber.error(new CallCancelled('stopped', fieldsOf(incoming), { cause: error })),
    );
  };

  /** A request given up while served: released, logged, and failed with why once a caller still waiting was told. */
  const stopServing = (entry: Entry, subscriber: Subscriber<unknown>) => {
    release(entry);
    log.info('gave a call in flight up', { ...fieldsOf(entry.incoming), why: entry.reason!.why });
    giveUp(entry.incoming, subscriber, entry.reason!);
  };

  const serve = <T>(incoming: IncomingCall, served: (call: CallSignal) => Observable<T>): Observable<T> =>
    new Observable<T>((subscriber) => {
      const entry = entries.get(incoming);
      if (!entry) return served(UNTRACKED).subscribe(subscriber);
      const { deadline } = entry;
      // The deadline timer may not have run yet (a handler held the event loop): the clock decides.
      if (!entry.reason && deadline !== undefined && Date.now() >= deadline) giveUpEntry(entry, cancelled(incoming, 'deadline'));
      if (entry.reason) {
        release(entry);
        log.warn('dropped a request unread: it was given up before a handler took it', { ...fieldsOf(incoming), why: entry.reason.why });
        giveUp(incoming, subscriber, entry.reason);
        return undefined;
      }
      const relay = new Relay(subscriber, entry, release, stopServing);
      entry.serving = relay;
      let source: Observable<T>;
      try {
        source = served(new TrackedCall(entry));
      } catch (error) {
        source = throwError(() => error);
      }
      relay.inner = source.subscribe(relay);
      // Only a call still running needs its deadline watched: most end before this line.
      if (!relay.ended && deadline !== undefined) relay.timer = scheduleTimeout(scheduler, () => giveUpEntry(entry, cancelled(incoming, 'deadline')), deadline - Date.now());
      return relay;
    });

  return { takeCancels, track, serve };
}
