/**
 * `rxm call METHOD [JSON_ARGS]`: one RPC call; each value the server streams is printed as one
 * line of JSON as it arrives (a plain result is one line). A remote failure is its class and
 * message on stderr and exit code 1; no reply in time is exit code 124.
 */
import { connect, rpcClient } from '../../lib/index.js';
import { type CommandIo, type ExitCode, parseInteger, runCommand, STANDARD_IO } from './args.js';
import { parseRpcRequest, RPC_HELP } from './rpc-request.js';

export const CALL_USAGE = `Usage: rxm call METHOD [JSON_ARGS] --topic NAME [options]

Calls METHOD with JSON_ARGS (a JSON object of named arguments, default {}) and prints the result
as JSON; a streamed result prints one JSON value per line as it arrives, no result prints null.
Exit code 0 on success, 1 when the call failed (the remote error's class and message on stderr),
2 for a bad command line, 124 when no reply came in time.

${RPC_HELP}
  --timeout MS          how long to wait for the reply (default 60000)
  -h, --help            this text

Example:
  rxm call add '{"a": 1, "b": 2}' --url rabbit://guest:guest@localhost:5672/ --topic calculator
`;

export function call(argv: readonly string[], io: CommandIo = STANDARD_IO): Promise<ExitCode> {
  return runCommand('rxm call', argv, CALL_USAGE, io, async (useUrl) => {
    const request = parseRpcRequest(argv, { timeout: { type: 'string' } }, useUrl);
    const timeout = parseInteger(request.values.timeout as string | undefined, '--timeout', 60_000);
    const transport = await connect(request.url);
    try {
      let values = 0;
      const results$ = rpcClient(transport, request.target, { timeout }).call$(request.method, request.args, request.context);
      await new Promise<void>((resolve, reject) =>
        results$.subscribe({
          next: (value) => {
            values++;
            io.stdout.write(`${JSON.stringify(value)}\n`);
          },
          error: reject,
          complete: resolve,
        }),
      );
      // As `call()`: a handler that returned nothing resolves to null.
      if (values === 0) io.stdout.write('null\n');
      return 0;
    } finally {
      await transport.close();
    }
  });
}
