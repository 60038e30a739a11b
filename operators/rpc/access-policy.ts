/**
 * Which endpoint methods a remote caller may invoke. Methods inherited from `Object`, and the
 * `target` field, are never callable.
 */

/** Whether a remote caller may invoke `method` of `endpoint`. */
export type AccessPolicy = (endpoint: object, method: string) => boolean;

const EXPOSED = Symbol('rx-messaging.exposed');

/**
 * Marks a handler as callable under `explicitAccessPolicy`. Returns the handler itself.
 *
 * @example
 * ```ts
 * const endpoint = { resize: expose(async (args: { flavor: string }) => resizeTo(args.flavor)), rebuildIndex: () => rebuild() };
 * rpcServer(transport, host1, [endpoint], { accessPolicy: explicitAccessPolicy }); // only resize is callable
 * ```
 */
export function expose<F extends (...params: never[]) => unknown>(handler: F): F {
  Object.defineProperty(handler, EXPOSED, { value: true });
  return handler;
}

/** oslo's default: every method except those starting with `_`. */
export const defaultAccessPolicy: AccessPolicy = (_endpoint, method) => !method.startsWith('_');

/** Every method, private ones included (oslo's legacy policy). */
export const legacyAccessPolicy: AccessPolicy = () => true;

/** Only handlers wrapped in `expose()`. */
export const explicitAccessPolicy: AccessPolicy = (endpoint, method) => {
  const handler = (endpoint as Record<string, unknown>)[method];
  return handler != null && Object.hasOwn(handler, EXPOSED);
};
