import { hexId } from '../../lib/core/ids.js';
import { notificationConformance } from './notifications.js';
import { rpcConformance } from './rpc.js';

// Each test gets its own in-process broker.
const url = () => `memory://conformance-${hexId()}`;
rpcConformance('memory', url);
notificationConformance('memory', url);
