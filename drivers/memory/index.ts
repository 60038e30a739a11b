/**
 * The in-memory transport, `memory://[name]`. Transports of one process that give the same name
 * share one broker; different names are isolated. The name is the URL's path, else its host,
 * else 'default': `memory://`, `memory://orders`, `memory:///orders` (same as the previous).
 * The broker and everything queued in it go away when the last transport of that name closes.
 *
 * The driver has no options: any key given by value or in the URL query is refused with
 * `InvalidTransportUrl`, so a typo never passes silently.
 */
import type { CreateDriver } from '../../lib/driver/driver.js';
import { resolveOptions, type OptionSpec } from '../../lib/core/options.js';
import type { TransportUrl } from '../../lib/core/url.js';
import { createMemoryDriver } from './driver.js';

export { UnserializableValue } from '../../lib/core/errors.js';

type MemoryOptions = Record<never, never>;

const OPTIONS: OptionSpec<MemoryOptions> = {};

/**
 * The memory driver module's factory; `connect('memory://…')` loads and calls it.
 *
 * @example
 * ```ts
 * const transport = await connect('memory://orders'); // this driver, sharing the broker 'orders'
 * ```
 */
export const createDriver: CreateDriver = async ({ url, options, controlExchange }) => {
  resolveOptions(OPTIONS, options, url.query, url.url);
  return createMemoryDriver({ brokerName: brokerName(url), controlExchange });
};

/**
 * The broker a memory URL names.
 *
 * @example
 * ```ts
 * brokerName(parseTransportUrl('memory:///orders')); // 'orders'
 * brokerName(parseTransportUrl('memory://')); // 'default'
 * ```
 */
export function brokerName(url: TransportUrl): string {
  return url.virtualHost || url.hosts[0]?.hostname || 'default';
}
