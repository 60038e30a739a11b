import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { IncomingCall } from '../../lib/driver/rpc.js';
import type { NotificationBinding } from '../../lib/driver/notifications.js';
import { InvalidTarget, InvalidTransportUrl, MessagingError } from '../../lib/core/errors.js';
import { PRIORITIES } from '../../lib/core/priority.js';
import { connect, type Transport } from '../../lib/transport.js';

/** The error `promise` rejects with, failing the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, Error);
    return error as Error;
  }
  assert.unreachable('expected the promise to reject');
  throw new Error('unreachable');
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    assert.instance(error, Error);
    return error as Error;
  }
  assert.unreachable('expected an error to be thrown');
  throw new Error('unreachable');
}

let counter = 0;
/** A memory URL of its own, so specs never share a broker. */
const memoryUrl = () => `memory://transport-spec-${++counter}`;

// --- what connect() refuses before any driver runs ---

const Refused = suite('connect(): refusals');

Refused('should reject an unknown scheme with InvalidTransportUrl naming the scheme', async () => {
  const error = await rejection(connect('kafka://broker:9092'));
  assert.instance(error, InvalidTransportUrl);
  assert.instance(error, MessagingError);
  assert.match(error.message, /unknown scheme 'kafka'/);
  assert.is((error as InvalidTransportUrl).url, 'kafka://broker:9092');
});

Refused('should reject text that is not a transport URL', async () => {
  const error = await rejection(connect('localhost:5672'));
  assert.instance(error, InvalidTransportUrl);
  assert.match(error.message, /expected 'scheme:\/\//);
});

Refused('should reject, not throw, when the URL is bad', () => {
  const promise = connect('nope://');
  assert.instance(promise, Promise);
  return promise.then(
    () => assert.unreachable('expected a rejection'),
    (error: unknown) => assert.instance(error, InvalidTransportUrl),
  );
});

Refused("should connect zmq:// through the zmq driver, with an in-process matchmaker named by the URL", async () => {
  const transport = await connect('zmq://transport-spec');
  try {
    assert.is(transport.url.driver, 'zmq');
    assert.is(transport.driver.name, 'zmq');
    assert.is((await firstValueFrom(transport.status$)).state, 'connected');
  } finally {
    await transport.close();
  }
});

Refused('should load the zmq driver for tcp:// and zmq+redis:// too', async () => {
  for (const url of ['tcp://transport-spec', 'zmq+redis://127.0.0.1:1/']) {
    const error = await rejection(connect(`${url}?no_such_option=1`));
    assert.instance(error, InvalidTransportUrl, url);
    assert.match(error.message, /unknown query option 'no_such_option'/);
  }
});

Refused.run();

// --- the memory transport ---

const Memory = suite('connect(): memory transport');

Memory("should connect to memory://x and report 'connected'", async () => {
  const transport = await connect('memory://x');
  try {
    assert.is(transport.url.driver, 'memory');
    assert.is(transport.url.url, 'memory://x');
    const status = await firstValueFrom(transport.status$);
    assert.is(status.state, 'connected');
    assert.is(transport.status$, transport.driver.status$);
  } finally {
    await transport.close();
  }
});

Memory("should report 'closed' and complete status$ once closed, and close again quietly", async () => {
  const transport = await connect(memoryUrl());
  const states = lastValueFrom(transport.status$.pipe(toArray()));
  await transport.close();
  const seen = (await states).map((status) => status.state);
  assert.equal(seen, ['connected', 'closed']);
  await transport.close();
  assert.is((await lastValueFrom(transport.status$)).state, 'closed');
});

Memory('should default to memory:// and the openstack control exchange', async () => {
  const transport = await connect();
  try {
    assert.is(transport.url.url, 'memory://');
    assert.is(transport.url.driver, 'memory');
    assert.is(transport.controlExchange, 'openstack');
  } finally {
    await transport.close();
  }
});

Memory('should take the control exchange from the options', async () => {
  const transport = await connect(memoryUrl(), { controlExchange: 'nova' });
  try {
    assert.is(transport.controlExchange, 'nova');
  } finally {
    await transport.close();
  }
});

Memory('should reject an unknown query option with InvalidTransportUrl naming it', async () => {
  const error = await rejection(connect('memory://x?bogus=1'));
  assert.instance(error, InvalidTransportUrl);
  assert.match(error.message, /^Invalid transport URL 'memory:\/\/x\?bogus=1': unknown query option 'bogus'/);
  assert.is((error as InvalidTransportUrl).url, 'memory://x?bogus=1');
});

Memory('should reject an option named like an Object member', async () => {
  const error = await rejection(connect('memory://x?constructor=1'));
  assert.instance(error, InvalidTransportUrl);
  assert.match(error.message, /unknown query option 'constructor'/);
});

Memory('should reject an unknown driver option given by value', async () => {
  const error = await rejection(connect('memory://x', { driverOptions: { bogus: 1 } }));
  assert.instance(error, InvalidTransportUrl);
  assert.match(error.message, /unknown option 'bogus'/);
});

Memory('should hand a cast sent on the driver to a listener of the target', async () => {
  const transport = await connect(memoryUrl());
  try {
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    const received = firstValueFrom(transport.listen({ topic: 'demo', server: 'srv1' }, { onReady: ready }));
    await isReady;
    await transport.driver.send({ topic: 'demo' }, { method: 'note', args: { n: 1 }, context: { user_id: 'u1' }, uniqueId: 'u-1' });
    const call: IncomingCall = await received;
    assert.is(call.method, 'note');
    assert.equal(call.args, { n: 1 });
    assert.equal(call.context, { user_id: 'u1' });
    assert.is(call.call, undefined);
    await call.ack();
  } finally {
    await transport.close();
  }
});

Memory.run();

// --- target checks of listen() and notifications() ---

const Targets = suite('Transport: target checks');

let transport: Transport;
Targets.before(async () => {
  transport = await connect(memoryUrl());
});
Targets.after(async () => {
  await transport.close();
});

Targets('should refuse a listen target without a server, at once', () => {
  const error = thrown(() => transport.listen({ topic: 'demo' }));
  assert.instance(error, InvalidTarget);
  assert.match(error.message, /an RPC server target needs a server/);
});

Targets('should refuse a malformed listen target', () => {
  const error = thrown(() => transport.listen({ topic: 'de mo', server: 's' }));
  assert.instance(error, InvalidTarget);
  assert.match(error.message, /topic must be a non-empty string/);
});

Targets('should refuse notification targets with a server, fanout or no topic', () => {
  assert.match(thrown(() => transport.notifications([{ topic: 'notifications', server: 's' }])).message, /a listener target takes a topic \(and exchange\), not server or fanout/);
  assert.match(thrown(() => transport.notifications([{ topic: 'notifications' }, { fanout: true }])).message, /a listener target needs a topic/);
  assert.instance(thrown(() => transport.notifications([{ topic: 'n', bogus: 1 } as never])), InvalidTarget);
});

Targets('should bind every target at all seven priorities by default', () => {
  const seen: NotificationBinding[][] = [];
  const original = transport.driver.listenForNotifications;
  (transport.driver as { listenForNotifications: typeof original }).listenForNotifications = (bindings, options) => {
    seen.push([...bindings]);
    return original(bindings, options);
  };
  try {
    transport.notifications([{ topic: 'notifications' }, { topic: 'audit', exchange: 'nova' }]);
    assert.equal(
      seen[0]!.map(({ target, priority }) => `${target.exchange ?? '-'}/${target.topic}.${priority}`),
      [...PRIORITIES.map((p) => `-/notifications.${p}`), ...PRIORITIES.map((p) => `nova/audit.${p}`)],
    );
    transport.notifications([{ topic: 'notifications' }], { priorities: ['error', 'critical'], pool: 'alerts' });
    assert.equal(seen[1]!.map(({ priority }) => priority), ['error', 'critical']);
  } finally {
    (transport.driver as { listenForNotifications: typeof original }).listenForNotifications = original;
  }
});

Targets('should pass the pool and onReady on to the driver, but not the priorities', () => {
  const calls: unknown[] = [];
  const original = transport.driver.listenForNotifications;
  (transport.driver as { listenForNotifications: typeof original }).listenForNotifications = (bindings, options) => {
    calls.push(options);
    return original(bindings, options);
  };
  try {
    const onReady = () => undefined;
    transport.notifications([{ topic: 'notifications' }], { priorities: ['info'], pool: 'alerts', onReady });
    assert.equal(calls, [{ pool: 'alerts', onReady }]);
  } finally {
    (transport.driver as { listenForNotifications: typeof original }).listenForNotifications = original;
  }
});

Targets('should receive a notification published on the driver', async () => {
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const received = firstValueFrom(transport.notifications([{ topic: 'notifications' }], { priorities: ['info'], onReady: ready }).pipe(take(1)));
  await isReady;
  await transport.driver.notify(
    { topic: 'notifications' },
    { messageId: 'id-1', publisherId: 'compute.host1', eventType: 'compute.instance.create.end', priority: 'info', payload: { a: 1 }, timestamp: '2026-11-22 05:25:21.387733', context: {} },
  );
  const notification = await received;
  assert.is(notification.eventType, 'compute.instance.create.end');
  assert.is(notification.priority, 'info');
  assert.equal(notification.payload, { a: 1 });
  await notification.ack();
});

Targets.run();
