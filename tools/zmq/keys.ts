/**
 * `rxm zmq-keys`: a new CURVE key pair (zeromq's `curveKeyPair()`), as JSON or as `NAME=VALUE`
 * lines under the ZeroMQ driver's option names, which its `zmq_curve_keys_file` reads back.
 */
import { curveKeyPair } from 'zeromq';
import { type CommandIo, type ExitCode, parseCommand, runCommand, STANDARD_IO } from '../cli/args.js';
import { UsageError } from '../simulator/options.js';

const KEYS_USAGE = `Usage: rxm zmq-keys [--format json|env] [--server]

Prints a new CURVE key pair for the ZeroMQ driver (Z85 text, 40 characters each).

  --format json   {"publicKey": "...", "secretKey": "..."} (the default)
  --format env    ZMQ_CURVE_PUBLIC_KEY=... and ZMQ_CURVE_SECRET_KEY=... lines: a zmq_curve_keys_file
  --server        name them ZMQ_CURVE_SERVER_PUBLIC_KEY and ZMQ_CURVE_SERVER_SECRET_KEY (a server's pair)
  -h, --help      this text

Keep the secret key out of URLs and logs: give it in a keys file (?zmq_curve_keys_file=PATH).
`;

/** `rxm zmq-keys`: prints a new CURVE key pair; resolves with the exit code. @internal */
export function zmqKeys(argv: readonly string[], io: CommandIo = STANDARD_IO): Promise<ExitCode> {
  return runCommand('rxm zmq-keys', argv, KEYS_USAGE, io, async () => {
    const { values: flags } = parseCommand(argv, { format: { type: 'string' }, server: { type: 'boolean' } });
    const format = flags.format ?? 'json';
    if (format !== 'json' && format !== 'env') throw new UsageError(`--format must be json or env, got '${format}'`);
    const { publicKey, secretKey } = curveKeyPair();
    if (format === 'json') {
      io.stdout.write(`${JSON.stringify({ publicKey, secretKey })}\n`);
    } else {
      const prefix = flags.server ? 'ZMQ_CURVE_SERVER_' : 'ZMQ_CURVE_';
      io.stdout.write(`${prefix}PUBLIC_KEY=${publicKey}\n${prefix}SECRET_KEY=${secretKey}\n`);
    }
    return 0;
  });
}
