/**
 * The command line of the `rxm zmq-*` tools: Node's strict parseArgs, with a malformed command
 * line reported in one line naming the flag (exit code 2), as the simulator does.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface ToolIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export const STANDARD_IO: ToolIo = { stdout: process.stdout, stderr: process.stderr };

/** A flag the tool does not know, or a value it refuses. */
export class ToolUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolUsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** The flags' values; a parse error becomes a `ToolUsageError` of its first sentence. */
export function parseFlags<O extends Options>(argv: readonly string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ToolUsageError((error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, ''));
  }
}

/** Runs a tool: prints `usage` for --help, one line and exit code 2 for a usage error. */
export async function runTool(name: string, argv: readonly string[], usage: string, io: ToolIo, run: () => Promise<number>): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(usage);
    return 0;
  }
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ToolUsageError)) throw error;
    io.stderr.write(`${name}: ${error.message} (see ${name} --help)\n`);
    return 2;
  }
}
