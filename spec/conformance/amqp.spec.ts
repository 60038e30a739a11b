import { suite } from 'uvu';
import { hexId } from '../../lib/core/ids.js';
import { amqpUrl, deleteQueuesStartingWith, skippedSuite, unavailable } from '../helpers/services.js';
import { notificationConformance } from './notifications.js';
import { capabilitiesAt, type SuiteFactory } from './suite-factory.js';
import { rpcConformance } from './rpc.js';

// One real broker for every test; the suites use fresh topic names, so tests cannot meet.
const reason = await unavailable(['rabbitmq']);
const makeSuite: SuiteFactory = reason === undefined ? suite : (name, context) => skippedSuite(name, reason, context);
const url = () => amqpUrl().replace(/^amqp:/, 'rabbit:');
// Topics are `conf-<hexId>`, and hexId starts with this process's random prefix: its queues alone go.
const cleanup = reason === undefined ? () => deleteQueuesStartingWith(`conf-${hexId().slice(0, 16)}`) : undefined;
// Without a broker every case is skipped for that reason, none for a capability.
const capabilities = reason === undefined ? await capabilitiesAt(url()) : undefined;
rpcConformance('rabbit', url, { capabilities, makeSuite, cleanup });
notificationConformance('rabbit', url, { capabilities, makeSuite, cleanup });
