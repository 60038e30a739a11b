/**
 * `rxm cast METHOD [JSON_ARGS]`: one RPC cast (no reply), or with `--fanout` a cast every
 * server of the topic receives. Exit code 0 once the message is handed to the transport.
 */
import { connect, rpcClient } from '../../lib/index.js';
import { type CommandIo, type ExitCode, runCommand, STANDARD_IO } from './args.js';
import { parseRpcRequest, RPC_HELP } from './rpc-request.js';

export const CAST_USAGE = `Usage: rxm cast METHOD [JSON_ARGS] --topic NAME [options]

Casts METHOD with JSON_ARGS (a JSON object of named arguments, default {}): nothing waits for a
result. Exit code 0 once the transport took the message, 1 when it could not be sent, 2 for a
bad command line.

${RPC_HELP}
  --fanout              every server of the topic receives it (no --server then)
  -h, --help            this text

Example:
  rxm cast reload '{"section": "logging"}' --url rabbit://guest:guest@localhost:5672/ --topic compute --fanout
`;

export function cast(argv: readonly string[], io: CommandIo = STANDARD_IO): Promise<ExitCode> {
  return runCommand('rxm cast', argv, CAST_USAGE, io, async (useUrl) => {
    const request = parseRpcRequest(argv, { fanout: { type: 'boolean' } }, useUrl);
    const transport = await connect(request.url);
    try {
      await rpcClient(transport, request.target).cast(request.method, request.args, request.context);
      return 0;
    } finally {
      await transport.close();
    }
  });
}
