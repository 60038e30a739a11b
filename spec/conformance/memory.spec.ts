import { hexId } from '../../lib/ids.js';
import { rpcConformance } from './rpc.js';

// Each test gets its own in-process broker.
rpcConformance('memory', () => `memory://conformance-${hexId()}`);
