/**
 * The raw amqplib harness: the simulator's command line and measurements, with the roles done
 * by plain amqplib instead of rx-messaging. `node dist/bench/amqplib/harness.js rpc-server …`
 * takes the same options as `rxm simulator rpc-server …` and writes the same JSON. `--confirm`
 * makes its casts and notifications wait for publisher confirms, as rx-messaging's and oslo's do;
 * `--oslo-wire` sends what oslo's protocol sends (oslo-wire.ts).
 */
import { simulator } from '../../lib/cli/simulator/index.js';
import { rawRoles } from './roles.js';

const argv = process.argv.slice(2);
const confirm = argv.includes('--confirm');
const osloWire = argv.includes('--oslo-wire');

process.exitCode = await simulator(
  argv.filter((arg) => arg !== '--confirm' && arg !== '--oslo-wire'),
  undefined,
  rawRoles({ confirm, osloWire }),
  osloWire ? 'amqplib harness (oslo wire)' : confirm ? 'amqplib harness (confirms)' : 'amqplib harness',
);
