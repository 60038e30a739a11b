import type { NotifierDriver } from './driver.js';

/**
 * oslo's `noop` driver: discards every notification; a notifier with only this one is not enabled.
 *
 * @example
 * ```ts
 * const quiet = notifier(transport, { publisherId: 'api', driver: noopDriver() });
 * quiet.isEnabled(); // false
 * ```
 */
export function noopDriver(): NotifierDriver {
  return { name: 'noop', enabled: false, notify: async () => {} };
}
