import { suite } from 'uvu';
import { hexId } from '../../lib/core/ids.js';
import { amqpUrl, deleteQueuesStartingWith, skippedSuite, unavailable } from '../helpers/services.js';
import { notificationConformance } from './notifications.js';
import type { SuiteFactory } from './suite-factory.js';
import { rpcConformance } from './rpc.js';

// One real broker for every test; the suites use fresh topic names, so tests cannot meet.
const reason = await unavailable(['rabbitmq']);
const makeSuite: SuiteFactory = reason === undefined ? suite : (name, context) => skippedSuite(name, reason, context);
const url = () => amqpUrl().replace(/^amqp:/, 'rabbit:');
// Topics are `conf-<hexId>`, and hexId starts with this process's random prefix: its queues alone go.
const cleanup = reason === undefined ? () => deleteQueuesStartingWith(`conf-${hexId().slice(0, 16)}`) : undefined;
rpcConformance('rabbit', url, makeSuite, cleanup);
notificationConformance('rabbit', url, makeSuite, cleanup);
