#!/usr/bin/env node
/**
 * `rxm`: rx-messaging's command line. `rxm simulator <role> [options]` is the counterpart of
 * oslo.messaging's tools/simulator.py; `rxm simulator --help` lists roles and options.
 */
import { simulator } from '../tools/simulator/index.js';

const USAGE = 'Usage: rxm simulator <rpc-server|rpc-client|notify-server|notify-client> [options]\n       rxm simulator --help\n';

const [command, ...rest] = process.argv.slice(2);
if (command === 'simulator') {
  process.exitCode = await simulator(rest);
} else if (command === undefined || command === '--help' || command === '-h') {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(`rxm: unknown command '${command}'\n${USAGE}`);
  process.exitCode = 2;
}
