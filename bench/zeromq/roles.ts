/** The plain zeromq.js roles behind the simulator's options: rpc-server and rpc-client only. */
import type { RoleRunner } from '../../tools/simulator/index.js';
import { runZeromqClient } from './client.js';
import { runZeromqServer } from './server.js';

/** The roles, meeting through `endpointsFile`: the server writes where it listens, the client reads it. */
export function zeromqRoles(endpointsFile: string): RoleRunner {
  return async (options, hooks) => {
    if (options.role === 'rpc-server') return runZeromqServer(options, hooks, endpointsFile);
    if (options.role === 'rpc-client') return runZeromqClient(options, hooks, endpointsFile);
    throw new RangeError(`the zeromq harness runs rpc-server and rpc-client, not ${options.role}`);
  };
}
