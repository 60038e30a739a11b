import { InvalidPayload } from '../../lib/core/errors.js';
import { checkWith, type StandardSchemaV1 } from '../../lib/core/schema.js';

/** Event types to the schema of their payload, as `notificationContract()` makes them; others are not checked. */
export type PayloadSchemas = { readonly [eventType: string]: StandardSchemaV1 };

/**
 * The payload of an `eventType` notification as its schema gives it back, or the `InvalidPayload`
 * naming each failing path. `sync` is for listeners, which screen every message without a hop:
 * a schema that answers with a Promise there refuses the message, saying so.
 */
export function checkPayload(schemas: PayloadSchemas, eventType: string, payload: unknown, sync: true): { value: unknown } | InvalidPayload;
export function checkPayload(
  schemas: PayloadSchemas,
  eventType: string,
  payload: unknown,
  sync?: false,
): { value: unknown } | InvalidPayload | Promise<{ value: unknown } | InvalidPayload>;
export function checkPayload(
  schemas: PayloadSchemas,
  eventType: string,
  payload: unknown,
  sync = false,
): { value: unknown } | InvalidPayload | Promise<{ value: unknown } | InvalidPayload> {
  if (!Object.hasOwn(schemas, eventType)) return { value: payload };
  const result = checkWith(schemas[eventType]!, payload);
  const unwrap = (checked: Awaited<typeof result>) => (checked.issues ? new InvalidPayload(eventType, checked.issues) : { value: checked.value });
  if (!(result instanceof Promise)) return unwrap(result);
  if (sync) {
    result.catch(() => undefined);
    return new InvalidPayload(eventType, [{ path: '', message: 'the schema validates asynchronously; a listener checks payloads synchronously' }]);
  }
  return result.then(unwrap);
}
