/** The raw amqplib roles behind the simulator's options: servers and clients of plain amqplib. */
import type { RoleRunner } from '../../tools/simulator/index.js';
import { runRawClient, type RawWire } from './client.js';
import { runRawServer } from './server.js';

/** The roles; with `confirm`, casts and notifications wait for publisher confirms; with `oslo`, messages are oslo's. */
export function rawRoles(wire: RawWire): RoleRunner {
  return (options, hooks) => (options.role === 'rpc-server' || options.role === 'notify-server' ? runRawServer(options, hooks, wire.oslo) : runRawClient(options, hooks, wire));
}
