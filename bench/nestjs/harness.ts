/**
 * The NestJS harness: `node dist/bench/nestjs/harness.js rpc-server …` takes the options of
 * `rxm simulator rpc-server …` (and rpc-client) and writes the same JSON, with the roles done by
 * NestJS microservices on RabbitMQ (roles.ts).
 */
import { simulator } from '../../tools/simulator/index.js';
import { nestRoles } from './roles.js';

process.exitCode = await simulator(process.argv.slice(2), undefined, nestRoles(), 'nestjs harness');
