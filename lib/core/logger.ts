/**
 * The project's logger: named loggers writing structured records to one sink. The default sink
 * prints to stderr at `RXM_LOG_LEVEL` (default `warn`) and above; `setLogSink` redirects every
 * record, which is how users plug in their own logger and how specs assert what was logged.
 */

/** A record's severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One log line as a sink receives it. */
export interface LogRecord {
  readonly level: LogLevel;
  /** The name given to `getLogger`, e.g. 'rx-messaging.amqp'. */
  readonly logger: string;
  readonly message: string;
  /** Structured details (ids, targets, a `stack`), when there are any. */
  readonly fields?: Readonly<Record<string, unknown>>;
}

/** Where every record of every logger goes; see `setLogSink`. */
export type LogSink = (record: LogRecord) => void;

/** A named logger: one method per level, each with a message and optional structured fields. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function stderrSink(threshold: LogLevel): LogSink {
  return (record) => {
    if (RANK[record.level] < RANK[threshold]) return;
    // A stack reads best as lines of its own, the other fields as one JSON object.
    const { stack, ...rest } = record.fields ?? {};
    const fields = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
    const trace = typeof stack === 'string' ? `\n${stack}` : '';
    process.stderr.write(`${new Date().toISOString()} ${record.level.toUpperCase()} ${record.logger}: ${record.message}${fields}${trace}\n`);
  };
}

const envLevel = process.env['RXM_LOG_LEVEL'] as LogLevel | undefined;
let sink: LogSink = stderrSink(envLevel && envLevel in RANK ? envLevel : 'warn');

/**
 * Sends every record to `next`; returns a function that restores the previous sink.
 *
 * @example
 * ```ts
 * const restore = setLogSink((record) => myLogger[record.level](record.fields ?? {}, `${record.logger}: ${record.message}`));
 * // ...
 * restore();
 * ```
 */
export function setLogSink(next: LogSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}

/**
 * The logger of `name`; its records go to the current sink, whichever it is when they are written.
 *
 * @example
 * ```ts
 * const log = getLogger('my-driver');
 * log.warn('connection lost', { host: 'broker-1' });
 * ```
 */
export function getLogger(name: string): Logger {
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) =>
    sink(fields ? { level, logger: name, message, fields } : { level, logger: name, message });
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
