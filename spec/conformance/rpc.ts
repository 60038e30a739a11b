/**
 * Transport behaviours every driver must show, through the public API only. `url()` gives a
 * URL for one test (all transports of a test share it); each test uses fresh topic names, so
 * the suite also runs on a shared, real broker.
 */
import { concat, firstValueFrom, interval, map, Observable, of, Subject, take, toArray } from 'rxjs';
import { suite } from 'uvu';
import { needing, type ConformanceOptions } from './suite-factory.js';
import * as assert from 'uvu/assert';
import { hexId } from '../../lib/core/ids.js';
import { within } from '../helpers/within.js';
import { driverOf } from '../../lib/transport.js';
import {
  blockingExecutor,
  CallCancelled,
  connect,
  MessageUndeliverable,
  MessagingTimeout,
  NoSuchMethod,
  RemoteError,
  rpcClient,
  rpcServer,
  target,
  UnserializableValue,
  type CallSignal,
  type RpcServer,
  type RpcServerOptions,
  type Transport,
} from '../../lib/index.js';

export interface ConformanceContext {
  transports: Transport[];
  servers: RpcServer[];
  url: string;
}

class QuotaExceeded extends Error {
  constructor(readonly quota: number) {
    super(`quota ${quota} exceeded`);
    this.name = 'QuotaExceeded';
  }
}

const echo = {
  echo: (args: { value: unknown }) => args.value,
  whoami: (_args: unknown, context: Record<string, unknown>) => context['user_id'],
  fail: (args: { quota: number }) => {
    throw new QuotaExceeded(args.quota);
  },
  slow: async (args: { ms: number }) => {
    await new Promise((resolve) => setTimeout(resolve, args.ms));
    return 'done';
  },
  count: (args: { to: number }) =>
    interval(10).pipe(
      map((i) => i + 1),
      take(args.to),
    ),
  /** 'first' at once, then 'second' only once the caller opened the gate. */
  gated: () => concat(of('first'), gate.pipe(take(1))),
};
/** Opened by a test once it holds the first value of `gated`. */
const gate = new Subject<string>();

/** Cases needing a broker capability run only where `capabilities` claims it; elsewhere they are skipped, saying which. */
export function rpcConformance(driver: string, url: () => string | Promise<string>, { capabilities, makeSuite = suite, cleanup }: ConformanceOptions = {}): void {
  const name = `conformance: rpc (${driver})`;
  const Rpc = makeSuite<ConformanceContext>(name, { transports: [], servers: [], url: '' });
  const RpcNeeding = needing(Rpc, name, capabilities);

  Rpc.before.each(async (context) => {
    context.url = await url();
    context.transports = [];
    context.servers = [];
  });

  Rpc.after.each(async (context) => {
    await Promise.all(context.servers.map((server) => server.stop()));
    await Promise.all(context.transports.map((transport) => transport.close()));
  });

  const open = async (context: ConformanceContext) => {
    const transport = await connect(context.url);
    context.transports.push(transport);
    return transport;
  };
  const serve = async (context: ConformanceContext, topic: string, server: string, endpoints: object[] = [echo], options: Omit<RpcServerOptions, 'contract'> = {}) => {
    const transport = await open(context);
    const rpc = rpcServer(transport, target({ topic, server }), endpoints, options);
    context.servers.push(rpc);
    await rpc.start();
    return rpc;
  };

  Rpc('should call a method and return its result', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a');
    const client = rpcClient(await open(context), target({ topic }), { timeout: 10_000 });
    assert.equal(await client.call('echo', { value: { n: 1, s: 'two', list: [3] } }), { n: 1, s: 'two', list: [3] });
  });

  Rpc('should pass the request context to the handler', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a');
    const client = rpcClient(await open(context), target({ topic }), { timeout: 10_000 });
    assert.is(await client.call('whoami', {}, { user_id: 'u1', project_id: 'p1' }), 'u1');
  });

  Rpc('should deliver a cast to exactly one server', async (context) => {
    const topic = `conf-${hexId()}`;
    const seen: string[] = [];
    let done!: () => void;
    const delivered = new Promise<void>((resolve) => (done = resolve));
    const endpoint = (name: string) => ({ note: () => (seen.push(name), done()) });
    await serve(context, topic, 'a', [endpoint('a')]);
    await serve(context, topic, 'b', [endpoint('b')]);
    await rpcClient(await open(context), target({ topic })).cast('note', {});
    await delivered;
    const client = rpcClient(await open(context), target({ topic, server: 'a' }), { timeout: 10_000 });
    await client.call('note'); // a barrier: the cast had its chance to be delivered twice
    assert.is(seen.length, 2, `one cast and one call expected, saw ${seen.join(',')}`);
  });

  Rpc('should round-robin calls to a topic across its servers', async (context) => {
    const topic = `conf-${hexId()}`;
    const endpoint = (name: string) => ({ name: () => name });
    await serve(context, topic, 'a', [endpoint('a')]);
    await serve(context, topic, 'b', [endpoint('b')]);
    const client = rpcClient(await open(context), target({ topic }), { timeout: 10_000 });
    const names = await Promise.all(Array.from({ length: 10 }, () => client.call('name')));
    assert.ok(names.includes('a') && names.includes('b'), `both servers should answer, got ${names.join(',')}`);
  });

  Rpc('should send a server-targeted call to that server only', async (context) => {
    const topic = `conf-${hexId()}`;
    const endpoint = (name: string) => ({ name: () => name });
    await serve(context, topic, 'a', [endpoint('a')]);
    await serve(context, topic, 'b', [endpoint('b')]);
    const client = rpcClient(await open(context), target({ topic }), { timeout: 10_000 }).prepare({ server: 'b' });
    const names = await Promise.all(Array.from({ length: 6 }, () => client.call('name')));
    assert.equal(names, Array(6).fill('b'));
  });

  Rpc('should fan a cast out to every server of the topic', async (context) => {
    const topic = `conf-${hexId()}`;
    const seen = new Set<string>();
    let done!: () => void;
    const both = new Promise<void>((resolve) => (done = resolve));
    const endpoint = (name: string) => ({ ping: () => (seen.add(name), seen.size === 2 && done()) });
    await serve(context, topic, 'a', [endpoint('a')]);
    await serve(context, topic, 'b', [endpoint('b')]);
    await rpcClient(await open(context), target({ topic, fanout: true })).cast('ping');
    await both;
    assert.equal([...seen].sort(), ['a', 'b']);
  });

  Rpc('should fail only the call whose result the wire cannot carry, and go on serving', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a', [{ big: () => 10n, echo: echo.echo }]);
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    const error = await client.call('big').catch((e: unknown) => e);
    assert.instance(error, UnserializableValue);
    assert.is(await client.prepare({ timeout: 10_000 }).call('echo', { value: 'still here' }), 'still here');
  });

  Rpc('should fail a call nobody answers with MessagingTimeout', async (context) => {
    const client = rpcClient(await open(context), target({ topic: `conf-${hexId()}` }), { timeout: 300 });
    const error = await client.call('echo', { value: 1 }).catch((e: unknown) => e);
    assert.instance(error, MessagingTimeout);
    assert.is((error as MessagingTimeout).info.kind, 'timeout');
    assert.match((error as Error).message, /echo/);
  });

  Rpc('should rebuild an allowed remote error and wrap others in RemoteError', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a');
    const transport = await open(context);
    const allowed = rpcClient(transport, target({ topic }), { timeout: 10_000, allowedRemoteErrors: [QuotaExceeded] });
    const rebuilt = await allowed.call('fail', { quota: 3 }).catch((e: unknown) => e);
    assert.instance(rebuilt, QuotaExceeded);
    assert.is((rebuilt as QuotaExceeded).quota, 3);
    assert.match((rebuilt as Error).message, /quota 3 exceeded/);
    const wrapped = await rpcClient(transport, target({ topic }), { timeout: 10_000 })
      .call('fail', { quota: 4 })
      .catch((e: unknown) => e);
    assert.instance(wrapped, RemoteError);
    assert.is((wrapped as RemoteError).excType, 'QuotaExceeded');
    assert.match((wrapped as RemoteError).value, /quota 4 exceeded/);
  });

  /** Results the JSON wire cannot carry, or would change without a word. */
  const unencodable: Record<string, () => unknown> = {
    bigint: () => ({ big: 10n }),
    cycle: () => {
      const node: Record<string, unknown> = { name: 'loop' };
      node['self'] = node;
      return node;
    },
    deep: () => {
      let deep: unknown[] = [];
      for (let i = 0; i < 100_000; i++) deep = [deep];
      return deep;
    },
    function: () => ({ callback: () => 1 }),
    nan: () => ({ ratio: Number.NaN }),
    infinity: () => [Number.POSITIVE_INFINITY],
  };
  const unencodableEndpoint = {
    result: (args: { kind: string }) => unencodable[args.kind]?.(),
    raise: () => {
      throw Object.assign(new Error('failed with a field the wire cannot carry'), { amount: 10n });
    },
  };

  Rpc('should fail a call at once with UnserializableValue naming the path when its result cannot be encoded', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a', [unencodableEndpoint]);
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    const expected: Record<string, RegExp> = {
      bigint: /result\.big is a bigint/,
      cycle: /result\.self is a circular reference/,
      deep: /result(\[0\])+ is nested deeper/,
      function: /result\.callback is a function/,
      nan: /result\.ratio is NaN/,
      infinity: /result\[0\] is Infinity/,
    };
    for (const [kind, message] of Object.entries(expected)) {
      const error = await client.call('result', { kind }).catch((e: unknown) => e);
      assert.instance(error, UnserializableValue, kind);
      assert.match((error as Error).message, message);
    }
  });

  Rpc('should fail a call at once with UnserializableValue when its error cannot be encoded', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a', [unencodableEndpoint]);
    const error = await rpcClient(await open(context), target({ topic }), { timeout: 30_000 })
      .call('raise', {})
      .catch((e: unknown) => e);
    assert.instance(error, UnserializableValue);
    assert.match((error as Error).message, /failure\..*amount is a bigint/);
  });

  Rpc('should refuse to send arguments JSON would change', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a');
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    const error = await client.call('echo', { value: [1, Number.NaN] }).catch((e: unknown) => e);
    assert.instance(error, UnserializableValue);
    assert.match((error as Error).message, /args\.value\[1\] is NaN/);
  });

  Rpc('should answer an unknown method with NoSuchMethod', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a');
    const error = await rpcClient(await open(context), target({ topic }), { timeout: 10_000 })
      .call('nope')
      .catch((e: unknown) => e);
    assert.instance(error, NoSuchMethod);
  });

  Rpc('should stream every value a handler emits to call$', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a');
    const client = rpcClient(await open(context), target({ topic }), { timeout: 10_000 });
    assert.equal(await firstValueFrom(client.call$('count', { to: 5 }).pipe(toArray())), [1, 2, 3, 4, 5]);
    assert.is(await client.call('count', { to: 3 }), 3, 'call() resolves to the last streamed value');
  });

  Rpc('should deliver each streamed value as soon as it exists, not when the next one does', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a');
    const client = rpcClient(await open(context), target({ topic }), { timeout: 10_000 });
    const received: unknown[] = [];
    const done = new Promise<void>((resolve, reject) =>
      client.call$('gated').subscribe({
        next: (value) => {
          received.push(value);
          // The handler produces 'second' only after this: a value held back until the next would never arrive.
          if (value === 'first') gate.next('second');
        },
        error: reject,
        complete: resolve,
      }),
    );
    await done;
    assert.equal(received, ['first', 'second']);
  });

  Rpc('should keep a long call alive with heartbeats under callMonitorTimeout', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a');
    const client = rpcClient(await open(context), target({ topic }), { timeout: 20_000, callMonitorTimeout: 1_000 });
    assert.is(await client.call('slow', { ms: 2_500 }), 'done');
  });

  Rpc('should give up on a silent server after callMonitorTimeout', async (context) => {
    const topic = `conf-${hexId()}`;
    const transport = await open(context);
    // A server that takes the call and never answers nor heartbeats.
    let ready!: () => void;
    const listening = new Promise<void>((resolve) => (ready = resolve));
    const silent = transport.listen(target({ topic, server: 'mute' }), { onReady: () => ready() }).subscribe((incoming) => void incoming.ack());
    await listening;
    try {
      const client = rpcClient(await open(context), target({ topic }), { timeout: 20_000, callMonitorTimeout: 500 });
      const error = await client.call('echo', { value: 1 }).catch((e: unknown) => e);
      assert.instance(error, MessagingTimeout);
      assert.is((error as MessagingTimeout).info.kind, 'callMonitorTimeout');
    } finally {
      silent.unsubscribe();
    }
  });

  RpcNeeding(['requeue'], 'should redeliver a requeued request', async (context) => {
    const topic = `conf-${hexId()}`;
    const transport = await open(context);
    const deliveries: boolean[] = [];
    let ready!: () => void;
    const listening = new Promise<void>((resolve) => (ready = resolve));
    let handled!: () => void;
    const redelivered = new Promise<void>((resolve) => (handled = resolve));
    const listener = transport.listen(target({ topic, server: 'a' }), { onReady: () => ready() }).subscribe((incoming) => {
      deliveries.push(incoming.redelivered);
      if (deliveries.length === 1) void incoming.requeue();
      else void incoming.ack().then(handled);
    });
    await listening;
    try {
      await rpcClient(await open(context), target({ topic })).cast('echo', { value: 1 });
      await redelivered;
      assert.equal(deliveries, [false, true]);
    } finally {
      listener.unsubscribe();
    }
  });

  RpcNeeding(['undeliverableDetection'], 'should fail an at-least-once call and cast nobody can receive with MessageUndeliverable', async (context) => {
    const client = rpcClient(await open(context), target({ topic: `conf-${hexId()}` }), { timeout: 10_000, atLeastOnce: true });
    const called = await client.call('echo', { value: 1 }).catch((e: unknown) => e);
    assert.instance(called, MessageUndeliverable);
    assert.instance(await client.cast('echo', { value: 1 }).catch((e: unknown) => e), MessageUndeliverable);
  });

  Rpc('should drop a message whose _unique_id it has just seen', async (context) => {
    const topic = `conf-${hexId()}`;
    const calls: number[] = [];
    await serve(context, topic, 'a', [{ note: (args: { n: number }) => void calls.push(args.n), barrier: () => 'ok' }]);
    const sender = await open(context);
    const request = { method: 'note', args: { n: 1 }, context: {}, uniqueId: hexId() };
    const driver = driverOf(sender);
    await driver.send(target({ topic }), request);
    await driver.send(target({ topic }), request);
    await driver.send(target({ topic }), { ...request, args: { n: 2 }, uniqueId: hexId() });
    await rpcClient(sender, target({ topic }), { timeout: 10_000 }).call('barrier');
    assert.equal(calls, [1, 2]);
  });

  Rpc('should let a prepared client override the target and keep the original unchanged', async (context) => {
    const topic = `conf-${hexId()}`;
    await serve(context, topic, 'a', [{ target: { namespace: 'ns', version: '2.3' }, v: () => 'ns-2.3' }, { v: () => 'default' }]);
    const client = rpcClient(await open(context), target({ topic }), { timeout: 10_000 });
    assert.is(await client.prepare({ namespace: 'ns', version: '2.1' }).call('v'), 'ns-2.3');
    assert.is(await client.call('v'), 'default');
  });

  /** A handler that waits for its cancellation: `started` once it runs, `aborted` with its signal's reason. */
  const awaitingAbort = () => {
    let started!: () => void;
    let aborted!: (reason: unknown) => void;
    const handler = {
      started: new Promise<void>((resolve) => (started = resolve)),
      aborted: new Promise<unknown>((resolve) => (aborted = resolve)),
      endpoint: {
        wait: (_args: unknown, _context: unknown, { signal }: CallSignal) =>
          new Promise((resolve) => {
            started();
            signal.addEventListener('abort', () => (aborted(signal.reason), resolve('aborted')));
          }),
      },
    };
    return handler;
  };

  Rpc('should stop a streaming handler when the caller unsubscribes mid-stream', async (context) => {
    const topic = `conf-${hexId()}`;
    let tornDown!: () => void;
    const teardown = new Promise<void>((resolve) => (tornDown = resolve));
    // Emits once, then streams nothing until it is unsubscribed.
    await serve(context, topic, 'a', [{ stream: () => new Observable<string>((subscriber) => (subscriber.next('first'), tornDown)) }]);
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    assert.is(await firstValueFrom(client.call$('stream')), 'first');
    await within(teardown, "the handler's teardown");
  });

  Rpc("should abort the handler's signal when the caller aborts the call", async (context) => {
    const topic = `conf-${hexId()}`;
    const handler = awaitingAbort();
    await serve(context, topic, 'a', [handler.endpoint]);
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    const controller = new AbortController();
    const called = client.call('wait', {}, {}, { signal: controller.signal }).catch((e: unknown) => e);
    await within(handler.started, 'the handler start');
    const reason = new Error('the user went away');
    controller.abort(reason);
    assert.is(await called, reason, 'the call rejects with the signal reason');
    const seen = await within(handler.aborted, "the handler's abort");
    assert.instance(seen, CallCancelled);
    assert.is((seen as CallCancelled).why, 'cancelled');
  });

  Rpc('should cancel a call aborted before any reply came, once the server names itself', async (context) => {
    const topic = `conf-${hexId()}`;
    const handler = awaitingAbort();
    await serve(context, topic, 'a', [{ ...handler.endpoint, ping: () => 'pong' }]);
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    // With the reply channel open, the call is sent as it is made: the abort comes before any reply can.
    assert.is(await client.call('ping'), 'pong');
    const controller = new AbortController();
    const called = client.call('wait', {}, {}, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    assert.instance(await called, DOMException);
    assert.instance(await within(handler.aborted, "the handler's abort"), CallCancelled);
  });

  Rpc("should abort the handler's signal when the call times out", async (context) => {
    const topic = `conf-${hexId()}`;
    const handler = awaitingAbort();
    await serve(context, topic, 'a', [handler.endpoint]);
    const client = rpcClient(await open(context), target({ topic }), { timeout: 300 });
    assert.instance(await client.call('wait').catch((e: unknown) => e), MessagingTimeout);
    assert.instance(await within(handler.aborted, "the handler's abort"), CallCancelled);
  });

  Rpc('should drop unread a request whose deadline passed while it waited behind a busy handler', async (context) => {
    const topic = `conf-${hexId()}`;
    const ran: string[] = [];
    const free = new Subject<string>();
    let started!: () => void;
    const busyStarted = new Promise<void>((resolve) => (started = resolve));
    const endpoint = { busy: () => (ran.push('busy'), started(), firstValueFrom(free)), note: () => void ran.push('note'), barrier: () => 'ok' };
    const server = await serve(context, topic, 'a', [endpoint], { executor: blockingExecutor() });
    const outcomes: (Error | undefined)[] = [];
    server.outcomes$.subscribe(({ incoming, error }) => incoming.method === 'note' && outcomes.push(error));
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    const first = client.call('busy');
    await within(busyStarted, 'the busy handler start');
    assert.instance(
      await client
        .prepare({ timeout: 300 })
        .call('note')
        .catch((e: unknown) => e),
      MessagingTimeout,
    );
    free.next('free');
    assert.is(await first, 'free');
    assert.is(await client.call('barrier'), 'ok');
    assert.equal(ran, ['busy'], 'the expired request never ran');
    assert.instance(outcomes[0], CallCancelled);
    assert.is((outcomes[0] as CallCancelled).why, 'deadline');
  });

  Rpc("should give calls up past a stop's drain deadline and fail their callers with CallCancelled", async (context) => {
    const topic = `conf-${hexId()}`;
    const handler = awaitingAbort();
    const server = await serve(context, topic, 'a', [handler.endpoint]);
    const client = rpcClient(await open(context), target({ topic }), { timeout: 30_000 });
    const called = client.call('wait').catch((e: unknown) => e);
    await within(handler.started, 'the handler start');
    await within(server.stop({ deadline: Date.now() + 100 }), 'the stop');
    const seen = await within(handler.aborted, "the handler's abort");
    assert.is((seen as CallCancelled).why, 'stopped');
    const failed = await within(called, 'the failure');
    assert.instance(failed, RemoteError, `the caller got ${String(failed)}`);
    assert.is((failed as RemoteError).excType, 'CallCancelled');
  });

  if (cleanup) Rpc.after(cleanup);

  Rpc.run();
}
