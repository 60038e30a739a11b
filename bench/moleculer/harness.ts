/**
 * The Moleculer harness: `node dist/bench/moleculer/harness.js rpc-server …` takes the options of
 * `rxm simulator rpc-server …` (and rpc-client) and writes the same JSON, with the roles done by
 * Moleculer on its AMQP transporter (roles.ts).
 */
import { simulator } from '../../tools/simulator/index.js';
import { moleculerRoles } from './roles.js';

process.exitCode = await simulator(process.argv.slice(2), undefined, moleculerRoles(), 'moleculer harness');
