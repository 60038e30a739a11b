import type { Test } from 'uvu';

/** How a conformance suite is made: uvu's `suite`, or one that skips every test with a reason. */
export type SuiteFactory = <T extends object>(name: string, context: T) => Test<T>;
