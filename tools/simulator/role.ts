import type { Meter } from '../metering/meter.js';

/** What a running role is given by whoever runs it: the CLI, or the benchmark in-process. @internal */
export interface RoleHooks {
  /** Where every message is measured. */
  readonly meter: Meter;
  /** Aborting stops a client's load, or a server, which then drains and resolves. */
  readonly signal?: AbortSignal;
  /** A server calls it once consuming: what is sent from then on is received. */
  readonly onReady?: () => void;
}

/** Resolves when the signal aborts (at once if it already has); never without a signal. @internal */
export function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** `work`, or undefined as soon as the signal aborts: a stopped run does not wait for an answer. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  // The work may still fail after the abort; nobody waits for it then.
  work.catch(() => undefined);
  return Promise.race([work, aborted(signal).then(() => undefined)]);
}
