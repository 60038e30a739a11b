import { suite } from 'uvu';
import { amqpUrl, skippedSuite, unavailable } from '../helpers/services.js';
import { notificationConformance } from './notifications.js';
import type { SuiteFactory } from './suite-factory.js';
import { rpcConformance } from './rpc.js';

// One real broker for every test; the suites use fresh topic names, so tests cannot meet.
const reason = await unavailable(['rabbitmq']);
const makeSuite: SuiteFactory = reason === undefined ? suite : (name, context) => skippedSuite(name, reason, context);
const url = () => amqpUrl().replace(/^amqp:/, 'rabbit:');
rpcConformance('rabbit', url, makeSuite);
notificationConformance('rabbit', url, makeSuite);
