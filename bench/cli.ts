/**
 * The bench commands' shell: `--help` prints the usage; a command line the parser refuses (a
 * `UsageError`, or node's parseArgs refusing an option) is one line naming the problem and exit
 * code 2, never a stack trace. Errors of the run itself stay errors.
 */
import { UsageError } from '../tools/simulator/options.js';

/** Parses the command line with `parse`, then runs it; `name` is what the user typed, for the messages. */
export async function runCommand<T>(name: string, usage: string, parse: (argv: readonly string[]) => T, run: (options: T) => Promise<void>): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return;
  }
  let options: T;
  try {
    options = parse(argv);
  } catch (error) {
    if (!isUsageError(error)) throw error;
    process.stderr.write(`${name}: ${(error as Error).message}\n\n${usage}`);
    process.exitCode = 2;
    return;
  }
  await run(options);
}

/** Ours, or node:util parseArgs refusing an unknown option or a missing value. */
function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || (typeof (error as { code?: unknown })?.code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS_'));
}
