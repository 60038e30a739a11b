import type { Callback, Test } from 'uvu';
import type { Capability, DriverCapabilities } from '../../lib/driver/driver.js';
import { connect } from '../../lib/transport.js';

/** How a conformance suite is made: uvu's `suite`, or one that skips every test with a reason. */
export type SuiteFactory = <T extends object>(name: string, context: T) => Test<T>;

/** What a conformance suite is given besides its driver's name and URLs. */
export interface ConformanceOptions {
  /** What the driver claims (`capabilitiesAt`); absent only when `makeSuite` skips every case anyway. */
  readonly capabilities?: DriverCapabilities;
  /** Default uvu's `suite`. */
  readonly makeSuite?: SuiteFactory;
  /** Runs once the suite's tests are done: what a real broker keeps (queues) is removed there. */
  readonly cleanup?: () => Promise<void>;
}

/** What the driver at `url` claims, read from a transport opened for it. */
export async function capabilitiesAt(url: string): Promise<DriverCapabilities> {
  const transport = await connect(url);
  try {
    return transport.capabilities;
  } finally {
    await transport.close();
  }
}

/**
 * Registers a case that needs broker capabilities: it runs where the driver claims every one of
 * them, and is registered as skipped where it does not, printing which it lacks, so a driver
 * claiming less never passes a case silently.
 */
export function needing<T>(
  test: Test<T>,
  suiteName: string,
  capabilities: DriverCapabilities | undefined,
): (needs: readonly Capability[], title: string, handler: Callback<T>) => void {
  return (needs, title, handler) => {
    const missing = capabilities === undefined ? [] : needs.filter((capability) => !capabilities[capability]);
    if (missing.length === 0) return test(title, handler);
    console.log(`SKIPPED ${suiteName} › ${title}: the driver lacks ${missing.map((capability) => `'${capability}'`).join(', ')}`);
    test.skip(title, handler);
  };
}
