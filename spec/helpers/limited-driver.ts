import { BehaviorSubject, NEVER, Observable } from 'rxjs';
import type { ListenOptions } from '../../lib/driver/listen.js';
import type { Driver, DriverCapabilities, DriverModule } from '../../lib/driver/driver.js';
import { connect, type Transport } from '../../lib/transport.js';

/**
 * A driver that claims only the capabilities given (none by default), as a brokerless one would.
 * It accepts every send and notify, and its consumers are ready at once but never deliver: specs
 * of capability checks need no messages. Registered through `connect(url, { driver })`, as a third-party driver is.
 */
export function limitedDriver(capabilities: Partial<DriverCapabilities> = {}): Driver {
  const status$ = new BehaviorSubject({ state: 'connected' as const });
  return {
    name: 'limited',
    capabilities: { requeue: false, pools: false, durable: false, undeliverableDetection: false, ...capabilities },
    status$: status$.asObservable(),
    send: async () => {},
    replyChannel: async () => ({ address: 'limited-replies', replies$: NEVER }),
    listen: (_target, options) => ready(options),
    notify: async () => {},
    listenForNotifications: (_bindings, options) => ready(options),
    close: async () => status$.complete(),
  };
}

/** A transport over `limitedDriver(capabilities)`. */
export function limitedTransport(capabilities: Partial<DriverCapabilities> = {}): Promise<Transport> {
  const driver: DriverModule = { createDriver: async () => limitedDriver(capabilities) };
  return connect('zmq://127.0.0.1:9501', { driver });
}

/** A consumer that is in place once subscribed and never receives anything. */
function ready<T>({ onReady }: ListenOptions = {}): Observable<T> {
  return new Observable<T>(() => onReady?.());
}
