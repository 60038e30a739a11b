import { firstValueFrom, from, lastValueFrom, NEVER, Observable, of, Subject, toArray, VirtualTimeScheduler } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CallCancelled, NoSuchMethod } from '../../../lib/core/errors.js';
import type { CallSignal } from '../../../lib/executors/executor.js';
import { setLogSink, type LogRecord } from '../../../lib/core/logger.js';
import { legacyAccessPolicy } from '../../../operators/rpc/access-policy.js';
import { dispatch } from '../../../operators/rpc/dispatch.js';
import { inFlight } from '../../../operators/rpc/in-flight.js';
import { aCall, incomingCall } from '../../helpers/incoming.js';

const InFlight = suite('inFlight', { logs: [] as LogRecord[], restore: () => {} });
InFlight.before.each((context) => {
  context.logs = [];
  context.restore = setLogSink((record) => context.logs.push(record));
});
InFlight.after.each((context) => context.restore());

const identity = { topic: 'compute', server: 'host-1' };
const cancelOf = (msgId: string) => incomingCall({ method: '_rxm_cancel', args: { msg_id: msgId } });

/** The error `source` fails with. */
const failureOf = (source: Observable<unknown>) =>
  lastValueFrom(source).then(
    () => assert.unreachable('expected a failure'),
    (error: unknown) => error,
  );

InFlight("should take a cancel out of the stream, ack it, and abort the named call's signal", async () => {
  const calls = inFlight({ identity });
  const incoming = incomingCall({ method: 'resize', call: aCall });
  const cancel = cancelOf('m1');
  const passed = await lastValueFrom(from([incoming, cancel]).pipe(calls.takeCancels, calls.track, toArray()));
  assert.equal(passed, [incoming]);
  assert.equal(cancel.recorded.events, ['ack']);
  let signal: AbortSignal | undefined;
  const error = await failureOf(calls.serve(incoming, (call) => ((signal = call.signal), NEVER)));
  assert.instance(error, CallCancelled);
  assert.is((error as CallCancelled).why, 'cancelled');
  assert.is(signal, undefined, 'a call cancelled while it waited is never run');
});

InFlight('should unsubscribe a running handler when its call is cancelled, and fail with CallCancelled', async () => {
  const calls = inFlight({ identity });
  const incoming = incomingCall({ method: 'resize', call: aCall });
  await lastValueFrom(from([incoming]).pipe(calls.track));
  let tornDown = false;
  let seen: CallSignal | undefined;
  const served = calls.serve(incoming, (call) => new Observable(() => ((seen = call), () => (tornDown = true))));
  const failed = failureOf(served);
  assert.ok(seen && !seen.signal.aborted);
  await lastValueFrom(from([cancelOf('m1')]).pipe(calls.takeCancels, toArray()));
  assert.ok(tornDown);
  assert.ok(seen.signal.aborted);
  assert.instance(seen.signal.reason, CallCancelled);
  assert.is(await failed, seen.signal.reason);
});

InFlight('should give up only the call a cancel names among those in flight, and none that has ended', async ({ logs }) => {
  const calls = inFlight({ identity });
  const [first, second, third] = ['m1', 'm2', 'm3'].map((msgId) => incomingCall({ method: 'resize', call: { ...aCall, msgId } }));
  await lastValueFrom(from([first!, second!, third!]).pipe(calls.track));
  const signals: Record<string, AbortSignal> = {};
  const serve = (incoming: typeof first) => calls.serve(incoming!, (call) => ((signals[incoming!.call!.msgId] = call.signal), NEVER)).subscribe({ error: () => {} });
  [first, second, third].forEach(serve);
  await lastValueFrom(from([cancelOf('m2')]).pipe(calls.takeCancels, toArray()));
  assert.equal([signals['m1']!.aborted, signals['m2']!.aborted, signals['m3']!.aborted], [false, true, false]);
  await lastValueFrom(from([cancelOf('m2')]).pipe(calls.takeCancels, toArray()));
  assert.ok(logs.some((record) => record.message === 'a cancel named no call in flight (it had ended)'));
  assert.equal([signals['m1']!.aborted, signals['m3']!.aborted], [false, false]);
});

InFlight('should name this server in a heartbeat at once to a caller that may cancel, and only to it', async () => {
  const calls = inFlight({ identity });
  const rx = incomingCall({ method: 'resize', call: { ...aCall, cancellable: true } });
  const oslo = incomingCall({ method: 'resize', call: { ...aCall, msgId: 'm2' } });
  await lastValueFrom(from([rx, oslo]).pipe(calls.track, toArray()));
  assert.equal(rx.recorded.heartbeats, [identity]);
  assert.equal(oslo.recorded.events, [], 'an oslo caller without call_monitor_timeout would break on a heartbeat');
  const anonymous = incomingCall({ method: 'resize', call: { ...aCall, cancellable: true } });
  await lastValueFrom(from([anonymous]).pipe(inFlight().track));
  assert.equal(anonymous.recorded.events, [], 'a server that cannot be named cannot be reached');
});

InFlight('should drop unread a request whose deadline passed before a handler took it, and say so', async ({ logs }) => {
  const calls = inFlight();
  const incoming = incomingCall({ method: 'resize', call: { ...aCall, deadline: Date.now() - 1 } });
  await lastValueFrom(from([incoming]).pipe(calls.track));
  let ran = false;
  const error = await failureOf(calls.serve(incoming, () => ((ran = true), NEVER)));
  assert.is((error as CallCancelled).why, 'deadline');
  assert.not.ok(ran);
  assert.equal(incoming.recorded.replies, [], 'the caller gave up: nothing is sent');
  assert.ok(logs.some((record) => record.level === 'warn' && /dropped a request unread/.test(record.message)));
});

InFlight("should abort a running call's signal at its deadline, oslo's taken from the message expiry", async () => {
  const scheduler = new VirtualTimeScheduler();
  const calls = inFlight({ scheduler });
  const incoming = incomingCall({ method: 'resize', call: { ...aCall, timeoutMs: 5_000 } });
  await lastValueFrom(from([incoming]).pipe(calls.track));
  let seen: CallSignal | undefined;
  const failed = failureOf(calls.serve(incoming, (call) => ((seen = call), NEVER)));
  assert.ok(seen!.deadline! > Date.now() && seen!.deadline! <= Date.now() + 5_000);
  assert.not.ok(seen!.signal.aborted);
  scheduler.flush();
  assert.is(((await failed) as CallCancelled).why, 'deadline');
});

InFlight('should give every request up when the signal aborts, telling callers still waiting with a named failure', async () => {
  const stop = new AbortController();
  const calls = inFlight({ identity, signal: stop.signal });
  const running = incomingCall({ method: 'resize', call: aCall });
  const waiting = incomingCall({ method: 'resize', call: { ...aCall, msgId: 'm2' } });
  const cast = incomingCall({ method: 'note' });
  await lastValueFrom(from([running, waiting, cast]).pipe(calls.track, toArray()));
  const failed = failureOf(calls.serve(running, () => NEVER));
  stop.abort();
  for (const error of [await failed, await failureOf(calls.serve(waiting, () => NEVER)), await failureOf(calls.serve(cast, () => NEVER))])
    assert.is((error as CallCancelled).why, 'stopped');
  assert.equal(running.recorded.events, ['failure']);
  assert.is(running.recorded.replies[0]!.failure!.class, 'CallCancelled');
  assert.not.ok('server' in running.recorded.replies[0]!, 'the last reply names no server: nothing is left to cancel');
  assert.equal(waiting.recorded.events, ['failure']);
  assert.equal(cast.recorded.events, [], 'a cast has nobody to tell');
});

const Dispatching = suite('dispatch: cancellation');

Dispatching('should give handlers { signal, deadline } after (args, context), and name the server in every reply but the last', async () => {
  const deadline = Date.now() + 10_000;
  const incoming = incomingCall({ method: 'check', args: { a: 1 }, call: { ...aCall, deadline } });
  let seen: unknown[] = [];
  const endpoint = { check: (...params: unknown[]) => ((seen = params), of('partial', 'ok')) };
  await lastValueFrom(from([incoming]).pipe(dispatch([endpoint], { identity })));
  assert.equal(seen.slice(0, 2), [{ a: 1 }, {}]);
  assert.instance((seen[2] as CallSignal).signal, AbortSignal);
  assert.is((seen[2] as CallSignal).deadline, deadline);
  assert.equal(incoming.recorded.replies, [
    { result: 'partial', failure: null, ending: false, server: identity },
    { result: 'ok', failure: null, ending: true },
  ]);
});

Dispatching('should never hand a reserved _rxm_ method to an endpoint, whatever the access policy', async () => {
  const called: string[] = [];
  const endpoint = { _rxm_cancel: () => void called.push('cancel'), _rxm_other: () => void called.push('other') };
  const asCall = incomingCall({ method: '_rxm_cancel', args: { msg_id: 'm9' }, call: aCall });
  const other = incomingCall({ method: '_rxm_other', call: { ...aCall, msgId: 'm2' } });
  const outcomes = await lastValueFrom(from([asCall, other, cancelOf('m9')]).pipe(dispatch([endpoint], { accessPolicy: legacyAccessPolicy }), toArray()));
  assert.equal(called, []);
  assert.equal(
    outcomes.map(({ error }) => error instanceof NoSuchMethod),
    [true, true],
  );
});

Dispatching('should cancel a call running on the executor when its cancel arrives, and report CallCancelled', async () => {
  const requests = new Subject<ReturnType<typeof incomingCall>>();
  let tornDown!: () => void;
  const teardown = new Promise<void>((resolve) => (tornDown = resolve));
  const endpoint = { watch: () => new Observable(() => tornDown) };
  const outcome = firstValueFrom(requests.pipe(dispatch([endpoint], { identity })));
  requests.next(incomingCall({ method: 'watch', call: { ...aCall, cancellable: true } }));
  await new Promise((resolve) => setImmediate(resolve));
  requests.next(cancelOf('m1'));
  await teardown;
  assert.is(((await outcome).error as CallCancelled).why, 'cancelled');
});

InFlight.run();
Dispatching.run();
