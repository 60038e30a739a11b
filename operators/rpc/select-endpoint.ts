import { map, type OperatorFunction } from 'rxjs';
import { defaultAccessPolicy, type AccessPolicy } from './access-policy.js';
import type { IncomingCall } from '../../lib/driver/rpc.js';
import { NoSuchMethod, UnsupportedVersion } from '../../lib/core/errors.js';
import { acceptsNamespace, type Target } from '../../lib/core/target.js';
import { isVersion, versionIsCompatible } from '../../lib/core/version.js';
import type { CallSignal } from '../../lib/executors/executor.js';
import { RESERVED_METHOD_PREFIX } from '../../lib/wire/rpc.js';

/**
 * An endpoint: an object (or class instance) of handlers `(args, context, { signal, deadline })`, optionally scoped by
 * a `target` field with `namespace`, `version` and `legacyNamespaces`.
 */
export type Endpoint = object;

type EndpointScope = Pick<Target, 'namespace' | 'version' | 'legacyNamespaces'>;

/** An endpoint method as the dispatcher calls it: keyword arguments, the request context, and the call's signal and deadline. */
export type Handler = (args: Record<string, unknown>, context: Record<string, unknown>, call: CallSignal) => unknown;

/** A call matched to the endpoint (by index) and handler that serve it, or the reason none does. */
export type Selection<I extends IncomingCall = IncomingCall> =
  | { readonly incoming: I; readonly endpoint: number; readonly handler: Handler; readonly error?: undefined }
  | { readonly incoming: I; readonly endpoint?: undefined; readonly handler?: undefined; readonly error: NoSuchMethod | UnsupportedVersion };

/** Options of `selectEndpoint`. */
export interface SelectEndpointConfig {
  /** Which methods callers may invoke (default `defaultAccessPolicy`). */
  readonly accessPolicy?: AccessPolicy;
}

/**
 * oslo's endpoint selection: the first endpoint, in list order, whose namespace accepts the
 * call's, whose version is compatible with the call's (both default to "1.0"), that has the
 * method, and whose access policy allows it. When namespace and version matched somewhere but
 * no method did, `NoSuchMethod`; when nothing matched, `UnsupportedVersion`.
 *
 * @example
 * ```ts
 * transport.listen(host1).pipe(selectEndpoint([computeV1, computeV2])).subscribe((s) => (s.error ? s.incoming.reply({ result: null, failure: toFailure(s.error), ending: true }) : run(s)));
 * ```
 */
export function selectEndpoint<I extends IncomingCall>(endpoints: readonly Endpoint[], config: SelectEndpointConfig = {}): OperatorFunction<I, Selection<I>> {
  endpoints.forEach(checkEndpoint);
  const allowed = config.accessPolicy ?? defaultAccessPolicy;
  return map((incoming) => {
    const version = incoming.version ?? '1.0';
    let compatible = false;
    // An index loop: `entries()` made an iterator and a pair for each endpoint of each request.
    for (let index = 0; index < endpoints.length; index++) {
      const endpoint = endpoints[index] as Endpoint;
      const scope = scopeOf(endpoint);
      if (!acceptsNamespace(scope, incoming.namespace)) continue;
      if (!versionIsCompatible(scope?.version ?? '1.0', version)) continue;
      compatible = true;
      const handler = handlerOf(endpoint, incoming.method);
      if (typeof handler === 'function' && allowed(endpoint, incoming.method)) return { incoming, endpoint: index, handler: handler as Handler };
    }
    return { incoming, error: compatible ? new NoSuchMethod(incoming.method) : new UnsupportedVersion(version, incoming.method) };
  });
}

/** The endpoint's function of that name; never `target`, what every object inherits (`toString`...) or a reserved `_rxm_` method. */
function handlerOf(endpoint: Endpoint, method: string): unknown {
  if (method === 'target' || method in Object.prototype || method.startsWith(RESERVED_METHOD_PREFIX)) return undefined;
  return (endpoint as Record<string, unknown>)[method];
}

function scopeOf(endpoint: Endpoint): EndpointScope | undefined {
  return (endpoint as { target?: EndpointScope }).target;
}

function checkEndpoint(endpoint: Endpoint, index: number): void {
  if (typeof endpoint !== 'object' || endpoint === null) throw new TypeError(`endpoint ${index} must be an object of handlers, got ${String(endpoint)}`);
  const scope = scopeOf(endpoint);
  if (scope === undefined) return;
  if (typeof scope !== 'object' || scope === null) throw new TypeError(`endpoint ${index}: 'target' must be an object with namespace and/or version`);
  if (scope.version !== undefined && !isVersion(scope.version)) throw new TypeError(`endpoint ${index}: target version ${JSON.stringify(scope.version)} is not "X.Y"`);
}
