/**
 * The in-memory transport, `memory://[name]`. Transports of one process that give the same name
 * share one broker; different names are isolated. The name is the URL's path, else its host,
 * else 'default': `memory://`, `memory://orders`, `memory:///orders` (same as the previous).
 * The broker and everything queued in it go away when the last transport of that name closes.
 *
 * One option, `max_queue_length` (default 100,000): the ready messages a queue may hold, as
 * RabbitMQ's `x-max-length` with `reject-publish`; past it a send fails with
 * `MessageDeliveryFailure`, so a queue nobody consumes cannot fill the process. Any other key,
 * given by value or in the URL query, is refused with `InvalidTransportUrl`, so a typo never
 * passes silently.
 */
import type { CreateDriver } from '../../lib/driver/driver.js';
import { InvalidTransportUrl } from '../../lib/core/errors.js';
import { resolveOptions, type OptionSpec } from '../../lib/core/options.js';
import type { TransportUrl } from '../../lib/core/url.js';
import { createMemoryDriver } from './driver.js';

export { UnserializableValue } from '../../lib/core/errors.js';

interface MemoryOptions {
  /** Ready messages a queue holds at most; a send past it fails. */
  readonly max_queue_length: number;
}

const OPTIONS: OptionSpec<MemoryOptions> = { max_queue_length: { default: 100_000, kind: 'number' } };

/**
 * The memory driver module's factory; `connect('memory://…')` loads and calls it.
 *
 * @example
 * ```ts
 * const transport = await connect('memory://orders'); // this driver, sharing the broker 'orders'
 * ```
 */
export const createDriver: CreateDriver = async ({ url, options, controlExchange }) => {
  const { max_queue_length: maxQueueLength } = resolveOptions(OPTIONS, options, url.query, url.url);
  if (!Number.isInteger(maxQueueLength) || maxQueueLength < 1) {
    throw new InvalidTransportUrl(url.url, `option 'max_queue_length' must be a whole number >= 1, got ${maxQueueLength}`);
  }
  return createMemoryDriver({ brokerName: brokerName(url), controlExchange, maxQueueLength });
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
