import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { IncomingCall } from '../../lib/driver/rpc.js';
import type { NotificationBinding } from '../../lib/driver/notifications.js';
import { DriverLoadFailure, InvalidTarget, InvalidTransportUrl, MessagingError, UnsupportedCapability } from '../../lib/core/errors.js';
import { hexId } from '../../lib/core/ids.js';
import { PRIORITIES } from '../../lib/core/priority.js';
import type { DriverConfig } from '../../lib/driver/driver.js';
import { connect, driverLoadFailure, driverOf, type Transport } from '../../lib/transport.js';
import { limitedDriver, limitedTransport } from '../helpers/limited-driver.js';
import { rejection, thrown } from '../helpers/thrown.js';

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

Refused('should connect zmq:// through the zmq driver, with an in-process matchmaker named by the URL', async () => {
  const transport = await connect('zmq://transport-spec');
  try {
    assert.is(transport.url.driver, 'zmq');
    assert.is(driverOf(transport).name, 'zmq');
    assert.is((await firstValueFrom(transport.status$)).state, 'connected');
  } finally {
    await transport.close();
  }
});

Refused('should refuse a driver module without a createDriver function, before creating anything', async () => {
  for (const driver of [{}, { createDriver: 'amqp' }, null]) {
    const error = await rejection(connect('zmq://127.0.0.1:9501', { driver: driver as never }));
    assert.instance(error, DriverLoadFailure);
    assert.is((error as DriverLoadFailure).driver, 'zmq');
    assert.match(error.message, /the driver given to connect\(\) is not a driver module: it has no createDriver function$/);
  }
});

Refused('should name the missing npm package of a driver that cannot load, and how to install it', async () => {
  const name = `rx-messaging-missing-${hexId()}`;
  const cause = await import(name).then(
    () => assert.unreachable('the package should be missing'),
    (e: unknown) => e,
  );
  const error = driverLoadFailure('amqp', cause);
  assert.instance(error, DriverLoadFailure);
  assert.is(error.driver, 'amqp');
  assert.is(error.message, `Cannot load driver 'amqp': it needs the npm package '${name}', which is not installed: npm install ${name}`);
  assert.is(error.cause, cause);
});

Refused('should give the reason of any other load failure', () => {
  const cause = new SyntaxError('Unexpected token');
  const error = driverLoadFailure('amqp', cause);
  assert.is(error.message, "Cannot load driver 'amqp': its module failed to load (Unexpected token)");
  assert.is(error.cause, cause);
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
    assert.is(transport.status$, driverOf(transport).status$);
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
    await driverOf(transport).send({ topic: 'demo' }, { method: 'note', args: { n: 1 }, context: { user_id: 'u1' }, uniqueId: 'u-1' });
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
  assert.instance(
    thrown(() => transport.notifications([{ topic: 'n', bogus: 1 } as never])),
    InvalidTarget,
  );
});

Targets('should bind every target at all seven priorities by default', () => {
  const seen: NotificationBinding[][] = [];
  const original = driverOf(transport).listenForNotifications;
  (driverOf(transport) as { listenForNotifications: typeof original }).listenForNotifications = (bindings, options) => {
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
    assert.equal(
      seen[1]!.map(({ priority }) => priority),
      ['error', 'critical'],
    );
  } finally {
    (driverOf(transport) as { listenForNotifications: typeof original }).listenForNotifications = original;
  }
});

Targets('should pass the pool and onReady on to the driver, but not the priorities', () => {
  const calls: unknown[] = [];
  const original = driverOf(transport).listenForNotifications;
  (driverOf(transport) as { listenForNotifications: typeof original }).listenForNotifications = (bindings, options) => {
    calls.push(options);
    return original(bindings, options);
  };
  try {
    const onReady = () => undefined;
    transport.notifications([{ topic: 'notifications' }], { priorities: ['info'], pool: 'alerts', onReady });
    assert.equal(calls, [{ pool: 'alerts', onReady }]);
  } finally {
    (driverOf(transport) as { listenForNotifications: typeof original }).listenForNotifications = original;
  }
});

Targets('should receive a notification published on the driver', async () => {
  let ready!: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  const received = firstValueFrom(transport.notifications([{ topic: 'notifications' }], { priorities: ['info'], onReady: ready }).pipe(take(1)));
  await isReady;
  await driverOf(transport).notify(
    { topic: 'notifications' },
    {
      messageId: 'id-1',
      publisherId: 'compute.host1',
      eventType: 'compute.instance.create.end',
      priority: 'info',
      payload: { a: 1 },
      timestamp: '2026-11-22 05:25:21.387733',
      context: {},
    },
  );
  const notification = await received;
  assert.is(notification.eventType, 'compute.instance.create.end');
  assert.is(notification.priority, 'info');
  assert.equal(notification.payload, { a: 1 });
  await notification.ack();
});

Targets.run();

// --- a driver from outside the package, and what its capabilities allow ---

const Outside = suite('connect(): a driver module given by value');

Outside('should create the transport with the given module, passing it the parsed URL, options and control exchange', async () => {
  const configs: DriverConfig[] = [];
  const driver = limitedDriver();
  const transport = await connect('zmq://127.0.0.1:9501?linger=0', {
    driver: { createDriver: async (config) => (configs.push(config), driver) },
    driverOptions: { a: 1 },
    controlExchange: 'nova',
  });
  try {
    assert.is(configs.length, 1);
    assert.is(configs[0]!.url.url, 'zmq://127.0.0.1:9501?linger=0');
    assert.equal(configs[0]!.options, { a: 1 });
    assert.is(configs[0]!.controlExchange, 'nova');
    assert.is(driverOf(transport), driver);
    assert.is(transport.status$, driver.status$);
  } finally {
    await transport.close();
  }
});

Outside("should use the given module instead of the scheme's own driver", async () => {
  const driver = limitedDriver();
  const transport = await connect('memory://x?bogus=1', { driver: { createDriver: async () => driver } });
  try {
    assert.is(driverOf(transport), driver, 'the memory driver would have refused the bogus option');
  } finally {
    await transport.close();
  }
});

Outside.run();

const Internal = suite('Transport: the driver underneath');

Internal('should keep the driver off the public transport', async () => {
  const transport = await connect(memoryUrl());
  try {
    assert.not.ok('driver' in transport);
    assert.is(driverOf(transport).name, 'memory');
  } finally {
    await transport.close();
  }
});

Internal('should refuse to reach the driver of an object connect() did not make', () => {
  assert.throws(
    () => driverOf({} as Transport),
    (e: unknown) => e instanceof TypeError && /not a transport made by connect\(\)/.test(e.message),
  );
});

Internal.run();

const Capabilities = suite('Transport: capabilities');

Capabilities('should show what the driver claims, read-only', async () => {
  const transport = await limitedTransport({ durable: true });
  try {
    assert.equal(transport.capabilities, { requeue: false, pools: false, durable: true, undeliverableDetection: false });
    assert.throws(() => ((transport.capabilities as { requeue: boolean }).requeue = true), TypeError);
    assert.is(transport.capabilities.requeue, false);
  } finally {
    await transport.close();
  }
});

Capabilities('should claim every capability on memory://', async () => {
  const transport = await connect(memoryUrl());
  try {
    assert.equal(transport.capabilities, { requeue: true, pools: true, durable: true, undeliverableDetection: true });
  } finally {
    await transport.close();
  }
});

Capabilities('should refuse a pool at once on a driver without pools, naming the capability, the driver and what to do', async () => {
  const transport = await limitedTransport();
  try {
    const error = thrown(() => transport.notifications([{ topic: 'notifications' }], { pool: 'alerts' }));
    assert.instance(error, UnsupportedCapability);
    assert.instance(error, MessagingError);
    assert.is((error as UnsupportedCapability).capability, 'pools');
    assert.is((error as UnsupportedCapability).driver, 'limited');
    assert.is(
      error.message,
      "The 'limited' driver lacks the capability 'pools', which notifications() with a pool ('alerts') needs: consume without a pool, or connect to a transport that has pools (rabbit://)",
    );
    transport
      .notifications([{ topic: 'notifications' }])
      .subscribe()
      .unsubscribe();
  } finally {
    await transport.close();
  }
});

Capabilities('should take a pool on a driver with pools', async () => {
  const transport = await limitedTransport({ pools: true });
  try {
    transport
      .notifications([{ topic: 'notifications' }], { pool: 'alerts' })
      .subscribe()
      .unsubscribe();
  } finally {
    await transport.close();
  }
});

Capabilities.run();
