/**
 * The raw amqplib harness: the simulator's command line and measurements, with the roles done
 * by plain amqplib instead of rx-messaging. `node dist/bench/amqplib/harness.js rpc-server …`
 * takes the same options as `rxm simulator rpc-server …` and writes the same JSON. `--confirm`
 * makes its casts and notifications wait for publisher confirms, as rx-messaging's and oslo's do.
 */
import type { SimulatorOptions } from '../../lib/cli/simulator/options.js';
import { simulator } from '../../lib/cli/simulator/index.js';
import type { RoleHooks } from '../../lib/cli/simulator/role.js';
import { runRawClient } from './client.js';
import { runRawServer } from './server.js';

const argv = process.argv.slice(2);
const confirm = argv.includes('--confirm');

function runRawRole(options: SimulatorOptions, hooks: RoleHooks): Promise<void> {
  return options.role === 'rpc-server' || options.role === 'notify-server' ? runRawServer(options, hooks) : runRawClient(options, hooks, confirm);
}

process.exitCode = await simulator(
  argv.filter((arg) => arg !== '--confirm'),
  undefined,
  runRawRole,
  confirm ? 'amqplib harness (confirms)' : 'amqplib harness',
);
