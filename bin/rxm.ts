#!/usr/bin/env node
/**
 * `rxm`: rx-messaging's command line. `rxm simulator <role> [options]` is the counterpart of
 * oslo.messaging's tools/simulator.py; `rxm simulator --help` lists roles and options.
 * `rxm call`, `cast`, `notify`, `tail` and `serve` send and receive one kind of message each;
 * `rxm zmq-keys` and `rxm zmq-proxy` serve the ZeroMQ driver. Each command's module is loaded
 * only when it runs, so the simulator never loads zeromq (an optional peer dependency).
 */
const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  simulator: async (argv) => (await import('../tools/simulator/index.js')).simulator(argv),
  call: async (argv) => (await import('../tools/cli/call.js')).call(argv),
  cast: async (argv) => (await import('../tools/cli/cast.js')).cast(argv),
  notify: async (argv) => (await import('../tools/cli/notify.js')).notify(argv),
  tail: async (argv) => (await import('../tools/cli/tail.js')).tail(argv),
  serve: async (argv) => (await import('../tools/cli/serve.js')).serve(argv),
  'zmq-keys': async (argv) => (await import('../tools/zmq/keys.js')).zmqKeys(argv),
  'zmq-proxy': async (argv) => (await import('../tools/zmq/proxy.js')).zmqProxy(argv),
};

const USAGE = `Usage: rxm simulator <rpc-server|rpc-client|notify-server|notify-client> [options]
       rxm simulator --help
       rxm call METHOD [JSON_ARGS] --topic T [--server S]   an RPC call, its result as JSON
       rxm cast METHOD [JSON_ARGS] --topic T [--fanout]     an RPC cast
       rxm notify EVENT_TYPE [JSON_PAYLOAD] [--priority P]  a notification
       rxm tail [--priority P] [--filter FIELD=REGEX]       notifications as NDJSON, as they come
       rxm serve MODULE --topic T --server S                an RPC server of MODULE's endpoints
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
