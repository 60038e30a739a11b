/**
 * The bench commands' shell: `--help` prints the usage, a `UsageError` (or an option node's
 * parser refuses) is one line naming the problem and exit code 2, never a stack trace.
 */
import { UsageError } from '../lib/cli/simulator/options.js';

/** Runs `main` with the command line; `name` is what the user typed, for the messages. */
export async function runCommand(name: string, usage: string, main: (argv: readonly string[]) => Promise<void>): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return;
  }
  try {
    await main(argv);
  } catch (error) {
    if (!isUsageError(error)) throw error;
    process.stderr.write(`${name}: ${(error as Error).message}\n\n${usage}`);
    process.exitCode = 2;
  }
}

/** Ours, or node:util parseArgs refusing an unknown option or a missing value. */
function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || (typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS_'));
}
