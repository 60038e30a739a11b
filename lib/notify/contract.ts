/**
 * Notification contracts: a Standard Schema (zod, valibot, arktype...) per event type. A notifier
 * given one types each event's payload and refuses an invalid one before anything is sent
 * (`InvalidPayload`); a listener given one hands its handlers the payload as the schema gives it
 * back, and acks a message whose payload fails it unhandled. Event types it does not name pass
 * unchecked.
 *
 * ```ts
 * const events = notificationContract({ 'compute.instance.create.end': z.object({ instance_id: z.string() }) });
 * const n = notifier(transport, { publisherId: 'compute.host-1', contract: events });
 * const listener = notificationListener(transport, [{ topic: 'notifications' }], [endpoint], { contract: events });
 * ```
 */
import { isStandardSchema, type InferInput, type StandardSchemaV1 } from '../core/schema.js';

/** Event types to the schema of their payload. */
export type NotificationContract = { readonly [eventType: string]: StandardSchemaV1 };

/** What a notifier of the contract may send: each event type with the payload its schema accepts. */
export type PayloadsOf<C extends NotificationContract> = { readonly [E in Extract<keyof C, string>]: InferInput<C[E]> };

/** A notification contract, checked now: every value must be a Standard Schema. */
export function notificationContract<const C extends NotificationContract>(events: C): C {
  if (typeof events !== 'object' || events === null) throw new TypeError('a notification contract is an object of event types to schemas');
  for (const [eventType, schema] of Object.entries(events)) {
    if (!isStandardSchema(schema)) throw new TypeError(`notification contract: the schema of ${eventType} is not a Standard Schema (zod, valibot, arktype... have '~standard')`);
  }
  return Object.freeze({ ...events });
}
