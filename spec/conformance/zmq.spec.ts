import { suite, type Test } from 'uvu';
import { hexId } from '../../lib/core/ids.js';
import { redisUnavailable, skippedSuite } from '../helpers/services.js';
import { notificationConformance } from './notifications.js';
import type { SuiteFactory } from './suite-factory.js';
import { rpcConformance } from './rpc.js';

/**
 * The cases that need what ZeroMQ lacks (capabilities requeue and durable), skipped with the
 * reason printed, until the suites skip by the driver's declared capabilities themselves.
 */
const LACKING: Record<string, string> = {
  'should redeliver a requeued request': 'requeue',
  'should redeliver a requeued notification, marked redelivered': 'requeue',
  'should redeliver what a listener with allowRequeue asked to requeue': 'requeue',
  'should keep messages published before any listener until one comes': 'durable',
  'should consume only the priorities a listener handles, leaving the others queued': 'durable',
  'should let a stream filter notifications, the dropped ones acked for good': 'durable',
};

function withoutLacking(make: SuiteFactory): SuiteFactory {
  return <T extends object>(name: string, context: T): Test<T> => {
    const test = make(name, context);
    const register = (title: string, handler: Parameters<Test<T>>[1]) => {
      const lacking = LACKING[title];
      if (lacking === undefined) return test(title, handler);
      console.log(`SKIPPED ${name}: '${title}' needs capability '${lacking}', which zmq lacks`);
      return test.skip(title, handler);
    };
    return Object.assign(register, { only: test.only, skip: test.skip, before: test.before, after: test.after, run: test.run }) as Test<T>;
  };
}

// In-process matchmaker: each test gets its own.
const inProcess = () => `zmq://conformance-${hexId()}`;
rpcConformance('zmq', inProcess, withoutLacking(suite));
notificationConformance('zmq', inProcess, withoutLacking(suite));

// Redis on 6379: one key prefix per run, so runs (and what a crash leaves behind) cannot meet.
const reason = await redisUnavailable();
const makeSuite: SuiteFactory = reason === undefined ? suite : (name, context) => skippedSuite(name, reason, context);
const prefix = `rxm-conformance-${hexId()}:`;
const overRedis = () => `zmq+redis://127.0.0.1:6379/?zmq_matchmaker_prefix=${encodeURIComponent(prefix)}`;
rpcConformance('zmq+redis', overRedis, withoutLacking(makeSuite));
notificationConformance('zmq+redis', overRedis, withoutLacking(makeSuite));
