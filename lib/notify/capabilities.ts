/**
 * What a notification listener asks of its transport, checked when the listener is made: a
 * transport that cannot requeue or has no pools fails then, not at the first message.
 */
import { requireCapability, type Transport } from '../transport.js';

/** Throws `UnsupportedCapability` when `allowRequeue` or a `pool` asks what the transport's driver lacks; `listener` names the factory. @internal */
export function requireListenerCapabilities(transport: Transport, listener: string, allowRequeue: boolean, pool: string | undefined): void {
  if (allowRequeue)
    requireCapability(
      transport,
      'requeue',
      `${listener} with allowRequeue`,
      'leave allowRequeue off (a message is then acked whatever its handler did, as oslo does by default), or connect to a broker transport (rabbit://)',
    );
  if (pool !== undefined) requireCapability(transport, 'pools', `${listener} in a pool ('${pool}')`, 'listen without a pool, or connect to a broker transport (rabbit://)');
}
