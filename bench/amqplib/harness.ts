/**
 * The raw amqplib harness: the simulator's command line and measurements, with the roles done
 * by plain amqplib instead of rx-messaging. `node dist/bench/amqplib/harness.js rpc-server …`
 * takes the same options as `rxm simulator rpc-server …` and writes the same JSON. `--confirm`
 * makes its casts and notifications wait for publisher confirms, as rx-messaging's and oslo's do;
 * `--oslo-wire` sends what oslo's protocol sends (oslo-wire.ts), `--oslo-wire-without PARTS` all
 * but the parts named (topic-exchange, confirms, envelope, properties).
 */
import { simulator } from '../../tools/simulator/index.js';
import { osloWireWithout } from './oslo-wire.js';
import { rawRoles } from './roles.js';

const argv = process.argv.slice(2);
const confirm = argv.includes('--confirm');
const without = argv.indexOf('--oslo-wire-without');
const oslo = argv.includes('--oslo-wire') || without >= 0 ? osloWireWithout(without >= 0 ? argv[without + 1] : '') : undefined;
const own = new Set(['--confirm', '--oslo-wire', '--oslo-wire-without', ...(without >= 0 ? [argv[without + 1]] : [])]);

process.exitCode = await simulator(
  argv.filter((arg) => !own.has(arg)),
  undefined,
  rawRoles({ confirm, ...(oslo && { oslo }) }),
  oslo ? 'amqplib harness (oslo wire)' : confirm ? 'amqplib harness (confirms)' : 'amqplib harness',
);
