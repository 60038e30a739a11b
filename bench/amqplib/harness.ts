/**
 * The raw amqplib harness: the simulator's command line and measurements, with the roles done
 * by plain amqplib instead of rx-messaging. `node dist/bench/amqplib/harness.js rpc-server …`
 * takes the same options as `rxm simulator rpc-server …` and writes the same JSON.
 */
import type { SimulatorOptions } from '../../lib/cli/simulator/options.js';
import { simulator } from '../../lib/cli/simulator/index.js';
import type { RoleHooks } from '../../lib/cli/simulator/role.js';
import { runRawClient } from './client.js';
import { runRawServer } from './server.js';

function runRawRole(options: SimulatorOptions, hooks: RoleHooks): Promise<void> {
  return options.role === 'rpc-server' || options.role === 'notify-server' ? runRawServer(options, hooks) : runRawClient(options, hooks);
}

process.exitCode = await simulator(process.argv.slice(2), undefined, runRawRole, 'amqplib harness');
