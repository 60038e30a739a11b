import { hexId } from '../../lib/core/ids.js';
import { notificationConformance } from './notifications.js';
import { rpcConformance } from './rpc.js';
import { capabilitiesAt } from './suite-factory.js';

// Each test gets its own in-process broker.
const url = () => `memory://conformance-${hexId()}`;
const capabilities = await capabilitiesAt(url());
rpcConformance('memory', url, { capabilities });
notificationConformance('memory', url, { capabilities });
