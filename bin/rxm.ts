#!/usr/bin/env node
/**
 * `rxm`: rx-messaging's command line. `rxm simulator <role> [options]` is the counterpart of
 * oslo.messaging's tools/simulator.py; `rxm simulator --help` lists roles and options.
 * `rxm zmq-keys` and `rxm zmq-proxy` serve the ZeroMQ driver. Each command's module is loaded
 * only when it runs, so the simulator never loads zeromq (an optional peer dependency).
 */
const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  simulator: async (argv) => (await import('../tools/simulator/index.js')).simulator(argv),
  'zmq-keys': async (argv) => (await import('../tools/zmq/keys.js')).zmqKeys(argv),
  'zmq-proxy': async (argv) => (await import('../tools/zmq/proxy.js')).zmqProxy(argv),
};

const USAGE = `Usage: rxm simulator <rpc-server|rpc-client|notify-server|notify-client> [options]
       rxm simulator --help
       rxm zmq-keys [--format json|env] [--server]     a new CURVE key pair for the ZeroMQ driver
       rxm zmq-proxy [--frontend EP] [--backend EP]    the XSUB/XPUB proxy of its fanout path
       rxm <command> --help
`;

const [command, ...rest] = process.argv.slice(2);
const run = command === undefined ? undefined : Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
if (run) {
  process.exitCode = await run(rest);
} else if (command === undefined || command === '--help' || command === '-h') {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(`rxm: unknown command '${command}'\n${USAGE}`);
  process.exitCode = 2;
}
