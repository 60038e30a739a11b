/** A capture of what a logger writes, so a spec can assert what was logged and keep it off the test output. */
import { setLogSink, type LogRecord } from '../../lib/core/logger.js';

/** Log records of one logger (a driver's), captured for the duration of a spec. */
export interface LogCapture {
  readonly records: LogRecord[];
  /** Resolves once `count` records match. */
  until(count: number, match: (record: LogRecord) => boolean): Promise<LogRecord[]>;
  restore(): void;
}

export function captureLogs(logger: string): LogCapture {
  const records: LogRecord[] = [];
  const waiters: { count: number; match: (record: LogRecord) => boolean; resolve: (records: LogRecord[]) => void }[] = [];
  const restore = setLogSink((entry) => {
    if (entry.logger !== logger) return;
    records.push(entry);
    for (const waiter of [...waiters]) {
      const matching = records.filter(waiter.match);
      if (matching.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(matching);
      }
    }
  });
  return {
    records,
    until(count, match) {
      const matching = records.filter(match);
      if (matching.length >= count) return Promise.resolve(matching);
      return new Promise((resolve) => waiters.push({ count, match, resolve }));
    },
    restore,
  };
}
