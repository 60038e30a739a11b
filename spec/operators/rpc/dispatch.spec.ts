import { lastValueFrom, from, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NoSuchMethod } from '../../../lib/core/errors.js';
import { blockingExecutor } from '../../../lib/executors/executor.js';
import { setLogSink, type LogRecord } from '../../../lib/core/logger.js';
import type { Serializer } from '../../../lib/core/serializer.js';
import { dispatch } from '../../../operators/rpc/dispatch.js';
import { aCall, incomingCall } from '../../helpers/incoming.js';

const Dispatch = suite('dispatch', { logs: [] as LogRecord[], restore: () => {} });
Dispatch.before.each((context) => {
  context.logs = [];
  context.restore = setLogSink((record) => context.logs.push(record));
});
Dispatch.after.each((context) => context.restore());

const endpoint = {
  add: (args: { a: number; b: number }) => args.a + args.b,
  user: (_args: unknown, context: Record<string, unknown>) => context['user_id'],
  boom: () => {
    throw new TypeError('boom');
  },
  note: () => undefined,
};

Dispatch('should ack before the handler by default, then reply with the result', async () => {
  const incoming = incomingCall({ method: 'add', args: { a: 2, b: 3 }, call: aCall });
  const outcomes = await lastValueFrom(from([incoming]).pipe(dispatch([endpoint]), toArray()));
  assert.equal(incoming.recorded.events, ['ack', 'end']);
  assert.equal(incoming.recorded.replies, [{ result: 5, failure: null, ending: true }]);
  assert.is(outcomes.length, 1);
  assert.is(outcomes[0]!.error, undefined);
});

Dispatch('should ack after the reply when at-least-once was asked', async () => {
  const incoming = incomingCall({ method: 'add', args: { a: 1, b: 1 }, call: aCall });
  await lastValueFrom(from([incoming]).pipe(dispatch([endpoint], { atLeastOnce: true })));
  assert.equal(incoming.recorded.events, ['end', 'ack']);
});

Dispatch('should give up, unrun, an at-least-once request delivered maxRedeliveries times before: dead-lettered where it can be, else acked', async () => {
  const restore = setLogSink(() => undefined);
  try {
    let runs = 0;
    const counting = { add: () => ++runs };
    const movable = Object.assign(incomingCall({ method: 'add', call: aCall }), { deliveryCount: 3 });
    const moved: string[] = [];
    Object.assign(movable, { deadLetter: async () => void moved.push('dead-letter') });
    const outcomes = await lastValueFrom(from([movable]).pipe(dispatch([counting], { atLeastOnce: true, maxRedeliveries: 3 }), toArray()));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(outcomes, []);
    assert.equal(moved, ['dead-letter']);
    const droppable = Object.assign(incomingCall({ method: 'add', call: aCall }), { deliveryCount: 3 });
    await lastValueFrom(from([droppable]).pipe(dispatch([counting], { atLeastOnce: true, maxRedeliveries: 3 }), toArray()));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(droppable.recorded.events, ['ack']);
    const fresh = Object.assign(incomingCall({ method: 'add', call: aCall }), { deliveryCount: 2 });
    await lastValueFrom(from([fresh]).pipe(dispatch([counting], { atLeastOnce: true, maxRedeliveries: 3 }), toArray()));
    assert.is(runs, 1, 'only the request below the limit ran');
    const atMostOnce = Object.assign(incomingCall({ method: 'add', call: aCall }), { deliveryCount: 9 });
    await lastValueFrom(from([atMostOnce]).pipe(dispatch([counting]), toArray()));
    assert.is(runs, 2, 'at most once, a request is acked on receipt and never counted');
  } finally {
    restore();
  }
});

Dispatch('should pass the context to the handler and send no reply for a cast', async () => {
  const seen: unknown[] = [];
  const incoming = incomingCall({ method: 'user', context: { user_id: 'u7' } });
  await lastValueFrom(from([incoming]).pipe(dispatch([{ user: (_a: unknown, c: Record<string, unknown>) => seen.push(c['user_id']) }])));
  assert.equal(seen, ['u7']);
  assert.equal(incoming.recorded.events, ['ack']);
});

Dispatch('should reply with the failure, report it in the outcome and log it', async (context) => {
  const incoming = incomingCall({ method: 'boom', call: aCall });
  const [outcome] = await lastValueFrom(from([incoming]).pipe(dispatch([endpoint]), toArray()));
  assert.is(incoming.recorded.replies[0]!.failure!.class, 'TypeError');
  assert.instance(outcome!.error, TypeError);
  assert.ok(context.logs.some((r) => r.level === 'error' && /exception during message handling/.test(r.message)));
});

Dispatch('should log expected errors at debug only', async (context) => {
  const incoming = incomingCall({ method: 'boom', call: aCall });
  await lastValueFrom(from([incoming]).pipe(dispatch([endpoint], { expectedErrors: [TypeError] })));
  assert.not.ok(context.logs.some((r) => r.level === 'error'));
  assert.ok(context.logs.some((r) => r.level === 'debug'));
});

Dispatch('should answer a method nobody serves with NoSuchMethod', async () => {
  const incoming = incomingCall({ method: 'nope', call: aCall });
  const [outcome] = await lastValueFrom(from([incoming]).pipe(dispatch([endpoint]), toArray()));
  assert.instance(outcome!.error, NoSuchMethod);
  assert.is(incoming.recorded.replies[0]!.failure!.class, 'NoSuchMethod');
  assert.is(incoming.recorded.replies[0]!.failure!.module, 'oslo_messaging.rpc.dispatcher');
});

Dispatch('should ack and drop a duplicate _unique_id without running the handler again', async () => {
  let runs = 0;
  const first = incomingCall({ method: 'note', uniqueId: 'u1' });
  const again = incomingCall({ method: 'note', uniqueId: 'u1' });
  const outcomes = await lastValueFrom(from([first, again]).pipe(dispatch([{ note: () => void runs++ }]), toArray()));
  assert.is(runs, 1);
  assert.is(outcomes.length, 1);
  assert.equal(again.recorded.events, ['ack']);
});

Dispatch('should run the serializer on context, arguments and results', async () => {
  const serializer: Serializer = {
    serializeEntity: (_c, e) => ({ wrapped: e }),
    deserializeEntity: (_c, e) => (e as number) * 10,
    serializeContext: (c) => ({ ...c }),
    deserializeContext: (c) => ({ ...c, tenant: 'from-serializer' }),
  };
  const incoming = incomingCall({ method: 'add', args: { a: 1, b: 2 }, call: aCall });
  await lastValueFrom(from([incoming]).pipe(dispatch([endpoint], { serializer })));
  assert.equal(incoming.recorded.replies[0]!.result, { wrapped: 30 });
});

Dispatch('should run one handler at a time with the blocking executor', async () => {
  const order: string[] = [];
  const slow = {
    work: async (args: { id: string }) => {
      order.push(`start ${args.id}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(`end ${args.id}`);
    },
  };
  const calls = ['a', 'b'].map((id) => incomingCall({ method: 'work', args: { id } }));
  await lastValueFrom(from(calls).pipe(dispatch([slow], { executor: blockingExecutor() }), toArray()));
  assert.equal(order, ['start a', 'end a', 'start b', 'end b']);
});

Dispatch('should heartbeat at half the callMonitorTimeout while the handler runs', async () => {
  const incoming = incomingCall({ method: 'wait', call: { ...aCall, callMonitorTimeout: 40 } });
  const wait = () => new Promise((resolve) => setTimeout(resolve, 150, 'done'));
  await lastValueFrom(from([incoming]).pipe(dispatch([{ wait }])));
  const events = incoming.recorded.events;
  assert.ok(events.includes('heartbeat'), `expected heartbeats, got ${events.join(',')}`);
  assert.is(events.at(-1), 'end');
  assert.equal(incoming.recorded.replies.at(-1), { result: 'done', failure: null, ending: true });
});

Dispatch.run();
