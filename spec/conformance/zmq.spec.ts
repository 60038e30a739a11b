import { suite } from 'uvu';
import { hexId } from '../../lib/core/ids.js';
import { redisUnavailable, skippedSuite } from '../helpers/services.js';
import { notificationConformance } from './notifications.js';
import { capabilitiesAt, type SuiteFactory } from './suite-factory.js';
import { rpcConformance } from './rpc.js';

// In-process matchmaker: each test gets its own. The cases needing requeue or durable queues,
// which a brokerless transport cannot promise, are skipped with the capability named.
const inProcess = () => `zmq://conformance-${hexId()}`;
const capabilities = await capabilitiesAt(inProcess());
rpcConformance('zmq', inProcess, { capabilities });
notificationConformance('zmq', inProcess, { capabilities });

// Redis on 6379: one key prefix per run, so runs (and what a crash leaves behind) cannot meet.
const reason = await redisUnavailable();
const makeSuite: SuiteFactory = reason === undefined ? suite : (name, context) => skippedSuite(name, reason, context);
const prefix = `rxm-conformance-${hexId()}:`;
const overRedis = () => `zmq+redis://127.0.0.1:6379/?zmq_matchmaker_prefix=${encodeURIComponent(prefix)}`;
rpcConformance('zmq+redis', overRedis, { capabilities: reason === undefined ? await capabilitiesAt(overRedis()) : undefined, makeSuite });
notificationConformance('zmq+redis', overRedis, { capabilities: reason === undefined ? await capabilitiesAt(overRedis()) : undefined, makeSuite });
