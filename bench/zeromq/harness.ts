/**
 * The plain zeromq.js harness: the simulator's command line and measurements, with calls done by
 * a DEALER and a ROUTER and casts by a PUSH and a PULL, over loopback TCP and with no framework:
 * the ceiling the ZeroMQ driver is measured against. `node dist/bench/zeromq/harness.js
 * rpc-server --url tcp://127.0.0.1 --endpoints FILE …` binds on ports the system picks and
 * writes them to FILE; `rpc-client … --endpoints FILE` reads them. It writes the same JSON as
 * `rxm simulator`.
 */
import { simulator } from '../../tools/simulator/index.js';
import { zeromqRoles } from './roles.js';

const argv = process.argv.slice(2);
const at = argv.indexOf('--endpoints');
const file = at >= 0 ? argv[at + 1] : undefined;
if (file === undefined) {
  process.stderr.write('zeromq harness: --endpoints FILE is required (where the server writes its endpoints and the client reads them)\n');
  process.exitCode = 2;
} else {
  process.exitCode = await simulator([...argv.slice(0, at), ...argv.slice(at + 2)], undefined, zeromqRoles(file), 'zeromq harness');
}
