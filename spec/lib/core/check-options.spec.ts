import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hexId } from '../../../lib/core/ids.js';
import {
  batchNotificationListener,
  blockingExecutor,
  connect,
  InvalidOptions,
  MessagingError,
  microtaskExecutor,
  notificationListener,
  notifier,
  rpcClient,
  rpcServer,
  target,
  workerPoolExecutor,
  type Transport,
} from '../../../lib/index.js';

const FailFast = suite('factories: options checked when called', { transport: undefined as unknown as Transport });
FailFast.before.each(async (context) => {
  context.transport = await connect(`memory:///options-${hexId()}`);
});
FailFast.after.each((context) => context.transport.close());

/** The InvalidOptions `make` throws, checked to name the factory, the key and what was given. */
function refused(make: () => unknown, factory: string, key: string, given: RegExp, expected: RegExp): InvalidOptions {
  let error: unknown;
  try {
    make();
  } catch (caught) {
    error = caught;
  }
  assert.instance(error, InvalidOptions, `${factory} ${key}`);
  assert.instance(error, MessagingError);
  const invalid = error as InvalidOptions;
  assert.is(invalid.factory, factory);
  assert.is(invalid.key, key);
  assert.match(invalid.given, given);
  assert.match(invalid.expected, expected);
  assert.match(invalid.message, new RegExp(`^${factory}\\(\\): option ${key} must be `));
  return invalid;
}

async function rejected(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const server = target({ topic: 't', server: 's' });
const topic = [target({ topic: 'notifications' })];

FailFast('should refuse an executor factory given where its value belongs, saying to call it', ({ transport }) => {
  const error = refused(
    () => rpcServer(transport, server, [{}], { executor: blockingExecutor as never }),
    'rpcServer',
    'executor',
    /function blockingExecutor/,
    /not its factory: call it \(blockingExecutor\(\)\)/,
  );
  assert.is(error.message, 'rpcServer(): option executor must be an executor, not its factory: call it (blockingExecutor()), got the function blockingExecutor');
  refused(
    () => notificationListener(transport, topic, [{}], { executor: microtaskExecutor as never }),
    'notificationListener',
    'executor',
    /microtaskExecutor/,
    /microtaskExecutor\(\)/,
  );
  refused(
    () => batchNotificationListener(transport, topic, [{}], { executor: {} as never }),
    'batchNotificationListener',
    'executor',
    /an object/,
    /blockingExecutor\(\), microtaskExecutor/,
  );
});

FailFast('should name an unknown key and the keys the factory knows', ({ transport }) => {
  refused(
    () => rpcServer(transport, server, [{}], { exectuor: blockingExecutor() } as never),
    'rpcServer',
    'exectuor',
    /an object/,
    /none of the options rpcServer knows \(executor, /,
  );
  refused(() => rpcClient(transport, target({ topic: 't' }), { timeuot: 5 } as never), 'rpcClient', 'timeuot', /number 5/, /timeout, callMonitorTimeout/);
  refused(() => notifier(transport, { publisherId: 'p', topic: 'x' } as never), 'notifier', 'topic', /string "x"/, /topics/);
  refused(() => notificationListener(transport, topic, [{}], { pools: 'a' } as never), 'notificationListener', 'pools', /string "a"/, /pool/);
  refused(() => batchNotificationListener(transport, topic, [{}], { size: 3 } as never), 'batchNotificationListener', 'size', /number 3/, /batchSize/);
  refused(() => microtaskExecutor({ concurency: 4 } as never), 'microtaskExecutor', 'concurency', /number 4/, /concurrency/);
  refused(() => workerPoolExecutor({ module: new URL(import.meta.url), threads: 2 } as never), 'workerPoolExecutor', 'threads', /number 2/, /size, inFlightPerWorker/);
  refused(() => (blockingExecutor as (options: unknown) => unknown)({ concurrency: 4 }), 'blockingExecutor', 'concurrency', /number 4/, /none of the options/);
});

FailFast('should refuse numbers that are not finite or out of range, and values of the wrong kind', ({ transport }) => {
  const client = target({ topic: 't' });
  refused(() => rpcClient(transport, client, { timeout: Number.POSITIVE_INFINITY }), 'rpcClient', 'timeout', /Infinity/, /positive finite number/);
  refused(() => rpcClient(transport, client, { timeout: 0 }), 'rpcClient', 'timeout', /number 0/, /positive finite number/);
  refused(() => rpcClient(transport, client, { callMonitorTimeout: Number.NaN }), 'rpcClient', 'callMonitorTimeout', /NaN/, /positive/);
  refused(() => rpcClient(transport, client, { retry: 1.5 }), 'rpcClient', 'retry', /1\.5/, /whole number >= -1/);
  refused(() => rpcClient(transport, client, { maxInFlight: 0 }), 'rpcClient', 'maxInFlight', /number 0/, /positive integer/);
  refused(() => rpcClient(transport, client, { timeout: '30' as never }), 'rpcClient', 'timeout', /string "30"/, /number/);
  refused(() => rpcClient(transport, client).prepare({ timeout: -1 }), 'rpcClient', 'timeout', /-1/, /positive/);
  refused(() => rpcClient(transport, client, { serializer: {} as never }), 'rpcClient', 'serializer', /an object/, /serializeEntity/);
  refused(() => rpcClient(transport, client, { allowedRemoteErrors: ['ValueError'] as never }), 'rpcClient', 'allowedRemoteErrors', /an array/, /Error classes/);
  refused(() => rpcServer(transport, server, [{}], { duplicateWindow: -5 }), 'rpcServer', 'duplicateWindow', /-5/, /positive integer/);
  refused(() => rpcServer(transport, server, [{}], { atLeastOnce: 'yes' as never }), 'rpcServer', 'atLeastOnce', /string "yes"/, /true or false/);
  refused(() => notifier(transport, { publisherId: 'p', retry: Number.POSITIVE_INFINITY }), 'notifier', 'retry', /Infinity/, /whole number/);
  refused(() => notifier(transport, { publisherId: 'p', topics: 'notifications' as never }), 'notifier', 'topics', /string/, /array of topic names/);
  refused(() => notificationListener(transport, topic, [{}], { allowRequeue: 1 as never }), 'notificationListener', 'allowRequeue', /number 1/, /true or false/);
  refused(
    () => workerPoolExecutor({ module: new URL(import.meta.url), size: 2, inFlightPerWorker: 1, extra: true } as never),
    'workerPoolExecutor',
    'extra',
    /boolean true/,
    /left out/,
  );
});

FailFast('should refuse options that are not an object', ({ transport }) => {
  let error: unknown;
  try {
    rpcServer(transport, server, [{}], 'blocking' as never);
  } catch (caught) {
    error = caught;
  }
  assert.instance(error, InvalidOptions);
  assert.is((error as InvalidOptions).key, '');
  assert.is((error as InvalidOptions).message, 'rpcServer(): the options must be an object of options, or left out, got string "blocking"');
});

FailFast('should check connect() options before connecting', async () => {
  const error = await rejected(connect('memory://', { controlExchange: 42 as never }));
  assert.instance(error, InvalidOptions);
  assert.is((error as InvalidOptions).factory, 'connect');
  assert.is((error as InvalidOptions).key, 'controlExchange');
  const unknown = await rejected(connect('memory://', { driverOption: {} } as never));
  assert.instance(unknown, InvalidOptions);
  assert.match((unknown as Error).message, /option driverOption must be left out: .*controlExchange, driverOptions, driver/);
});

FailFast('should take every option each factory documents', async ({ transport }) => {
  const executor = microtaskExecutor({ concurrency: 2 });
  rpcClient(transport, target({ topic: 't' }), {
    timeout: 1_000,
    callMonitorTimeout: 500,
    versionCap: '1.0',
    retry: -1,
    atLeastOnce: false,
    allowedRemoteErrors: [RangeError],
    maxInFlight: 8,
  });
  rpcServer(transport, server, [{}], { executor, atLeastOnce: false, expectedErrors: [TypeError], duplicateWindow: 10, accessPolicy: () => true });
  notifier(transport, { publisherId: 'p', topics: ['notifications'], retry: 0, raiseOnError: true });
  notificationListener(transport, topic, [{ info: () => {} }], { executor, allowRequeue: true, duplicateWindow: 5, pool: 'p' });
  batchNotificationListener(transport, topic, [{ info: () => {} }], { executor, batchSize: 10, batchTimeout: 100 });
  await (await connect('memory://', { controlExchange: 'nova', driverOptions: {} })).close();
  assert.ok(true);
});

FailFast.run();
