/**
 * `rx-messaging/testing`: helpers for your own specs, kept out of the production entries.
 *
 * @example
 * ```ts
 * import { connect, notifier } from 'rx-messaging';
 * import { queueDepth, testDriver } from 'rx-messaging/testing';
 *
 * const recorded = testDriver();
 * const events = notifier(await connect('memory://spec'), { publisherId: 'spec', driver: recorded });
 * ```
 */

// memory:// under the hood
export { publishRaw, queueDepth } from './memory.js';

// a notifier driver that records what it was given
export { testDriver } from './test-notifier-driver.js';
export type { RecordedNotification, TestDriver } from './test-notifier-driver.js';
