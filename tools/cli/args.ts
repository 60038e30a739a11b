/**
 * What the message commands of `rxm` (call, cast, notify, tail, serve) share: Node's strict
 * parseArgs with positionals, a malformed command line or JSON argument reported in one line
 * naming it (exit code 2), the transport flags, and error lines that never show a password.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type Context, type LogLevel, MessagingTimeout, parseTransportUrl, RemoteError, redactUrl, setLogSink } from '../../lib/index.js';
import { DEFAULT_URL, UsageError } from '../simulator/options.js';

export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export const STANDARD_IO: CommandIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };

/** What a command resolves to: `rxm`'s exit code. */
export type ExitCode = number;

/** oslo's and coreutils' `timeout` exit code for "gave up waiting". */
export const EXIT_TIMEOUT = 124;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

type Options = NonNullable<ParseArgsConfig['options']>;

export const URL_OPTION = { url: { type: 'string' } } as const satisfies Options;

export const URL_HELP = `  --url URL             transport URL (default $RXM_URL or ${DEFAULT_URL})`;

export interface Parsed<O extends Options> {
  readonly values: ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: true }>>['values'];
  readonly positionals: readonly string[];
}

/**
 * Parses `argv`: `names` are the positionals, required unless written `[NAME]`. A parse error
 * becomes a `UsageError` of its first sentence (Node's own message goes on about `--`).
 */
export function parseCommand<O extends Options>(argv: readonly string[], options: O, names: readonly string[] = []): Parsed<O> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({ args: [...argv], options, strict: true, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message.split(/\.\s/)[0]!.replace(/\.$/, ''));
  }
  const required = names.filter((name) => !name.startsWith('['));
  if (parsed.positionals.length < required.length) throw new UsageError(`${required[parsed.positionals.length]} is missing`);
  if (parsed.positionals.length > names.length) throw new UsageError(`unexpected argument '${parsed.positionals[names.length]}'`);
  return parsed;
}

/** `text` as JSON; `what` names the argument in the error (`JSON_ARGS`, `--context`). */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** A JSON object (args, a context); undefined text gives `{}`. */
export function parseJsonObject(text: string | undefined, what: string): Record<string, unknown> {
  if (text === undefined) return {};
  const value = parseJson(text, what);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${what} must be a JSON object, got ${text}`);
  return value as Record<string, unknown>;
}

export const parseContext = (text: string | undefined): Context => parseJsonObject(text, '--context');

/** A whole number of at least `min`, or `fallback` when the flag is absent. */
export function parseInteger(text: string | undefined, flag: string, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min) throw new UsageError(`${flag} must be an integer of at least ${min}, got '${text}'`);
  return value;
}

/**
 * `text` with the URL and each of its passwords (as written and decoded) replaced by `***`: what
 * a driver's or library's error says is printed, and some quote what they were given.
 */
export function withoutSecrets(text: string, url: string): string {
  let safe = text.split(url).join(redactUrl(url));
  let hosts: readonly { readonly password?: string }[] = [];
  try {
    hosts = parseTransportUrl(url).hosts;
  } catch {
    // An unparsable URL still has its raw text replaced above.
  }
  for (const { password } of hosts) {
    if (!password) continue;
    for (const form of new Set([password, encodeURIComponent(password)])) safe = safe.split(form).join('***');
  }
  return safe;
}

/** An error as one line: the remote class and message for a remote failure, `Name: message` otherwise. */
export function describeError(error: unknown): string {
  if (error instanceof RemoteError) return `${error.excType}: ${error.value}`;
  if (error instanceof Error) return `${error.name}: ${error.message.split('\n')[0]}`;
  return String(error);
}

/** Resolves the `--url` flag (default `$RXM_URL`, then the simulator's) and checks it, so a malformed URL is a usage error. */
export type UseUrl = (given: string | undefined) => string;

/**
 * Runs a command: `usage` for --help, one line and exit code 2 for a `UsageError`, 124 for a
 * `MessagingTimeout`, 1 with the error's line for anything else. Error lines go through
 * `withoutSecrets` with the URL the command took from `useUrl`.
 */
export async function runCommand(name: string, argv: readonly string[], usage: string, io: CommandIo, run: (useUrl: UseUrl) => Promise<ExitCode>): Promise<ExitCode> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(usage);
    return 0;
  }
  let url: string | undefined;
  const useUrl: UseUrl = (given) => {
    url = given ?? io.env['RXM_URL'] ?? DEFAULT_URL;
    try {
      parseTransportUrl(url);
    } catch (error) {
      throw new UsageError(`--url: ${(error as Error).message}`);
    }
    return url;
  };
  const safe = (text: string) => (url === undefined ? text : withoutSecrets(text, url));
  const threshold = Math.max(LOG_LEVELS.indexOf(io.env['RXM_LOG_LEVEL'] as LogLevel), LOG_LEVELS.indexOf('warn'));
  // What the package logs (a lost connection, a failed ack) may quote what a driver said: redacted too.
  const restoreLog = setLogSink(({ level, logger, message, fields }) => {
    if (LOG_LEVELS.indexOf(level) >= threshold) io.stderr.write(`${safe(`${level.toUpperCase()} ${logger}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`)}\n`);
  });
  try {
    return await run(useUrl);
  } catch (error) {
    const line = (text: string) => io.stderr.write(`${name}: ${safe(text)}\n`);
    if (error instanceof UsageError) {
      line(`${error.message} (see ${name} --help)`);
      return 2;
    }
    line(describeError(error));
    return error instanceof MessagingTimeout ? EXIT_TIMEOUT : 1;
  } finally {
    restoreLog();
  }
}

/**
 * Calls `first` on the first SIGINT or SIGTERM and `again` on a second one; the returned
 * function removes the handlers.
 */
export function onSignals(first: (signal: NodeJS.Signals) => void, again: (signal: NodeJS.Signals) => void = first): () => void {
  let seen = false;
  const handler = (signal: NodeJS.Signals) => {
    if (seen) return again(signal);
    seen = true;
    first(signal);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
