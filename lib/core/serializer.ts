/**
 * Entity and context serializers, oslo's four-method interface: they turn application values
 * into wire-safe primitives and back, on both the client and the server side.
 */
import type { Context } from './context.js';
import { isOsloDatetime, OsloDatetime, parseDate } from './datetime.js';

/**
 * oslo's serializer: entities (arguments, results, payloads) and the context, to what the wire
 * codec can write and back. Both sides of a call or notification should use matching ones.
 *
 * @example
 * ```ts
 * const dates: Serializer = { ...noopSerializer, deserializeEntity: (_context, entity) => (typeof entity === 'string' && /^\d{4}-\d\d-\d\d$/.test(entity) ? new Date(entity) : entity) };
 * rpcClient(transport, target({ topic: 'compute' }), { serializer: dates });
 * ```
 */
export interface Serializer {
  /** An argument, result or payload, before it is sent. */
  serializeEntity(context: Context, entity: unknown): unknown;
  /** An argument, result or payload as received. */
  deserializeEntity(context: Context, entity: unknown): unknown;
  /** The request context, before it is sent as `_context_*` keys. */
  serializeContext(context: Context): Record<string, unknown>;
  /** The request context as received. */
  deserializeContext(context: Record<string, unknown>): Context;
}

/** Passes everything through unchanged (the wire codec still has to be able to encode it). */
export const noopSerializer: Serializer = {
  serializeEntity: (_context, entity) => entity,
  deserializeEntity: (_context, entity) => entity,
  serializeContext: (context) => context as Record<string, unknown>,
  deserializeContext: (context) => context,
};

/**
 * oslo's `JsonPayloadSerializer`: entities become JSON primitives. Class instances become plain
 * objects of their own enumerable fields, Maps objects, Sets arrays, bigints strings; Dates stay
 * Dates for the codec to write in oslo's format.
 */
export const jsonPayloadSerializer: Serializer = {
  ...noopSerializer,
  serializeEntity: (_context, entity) => toPrimitive(entity, new WeakSet()),
};

function toPrimitive(value: unknown, seen: WeakSet<object>): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint') return value.toString();
    return typeof value === 'function' || typeof value === 'symbol' ? undefined : value;
  }
  if (value instanceof Date) return value;
  if (seen.has(value)) return '?';
  seen.add(value);
  try {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return toPrimitive((value as { toJSON(): unknown }).toJSON(), seen);
    if (Array.isArray(value) || value instanceof Set) return [...value].map((item) => toPrimitive(item, seen));
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
    return Object.fromEntries(entries.map(([key, item]) => [String(key), toPrimitive(item, seen)]));
  } finally {
    seen.delete(value);
  }
}

export interface DatetimeSerializerOptions {
  /**
   * What an oslo datetime string becomes: an `OsloDatetime` (default), which keeps the
   * microseconds and writes back the very text it was read from, or a Date (milliseconds).
   */
  readonly as?: 'datetime' | 'date';
}

/**
 * Revives oslo's datetime text ("2024-02-29T23:59:58.123456") wherever it sits in an entity
 * received (arguments, results, notification payloads); sends entities as they are. The wire
 * itself never revives: only a serializer chosen for it knows that such a string is a datetime.
 */
export function datetimeSerializer({ as = 'datetime' }: DatetimeSerializerOptions = {}): Serializer {
  const revive = as === 'date' ? parseDate : OsloDatetime.parse;
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return isOsloDatetime(value) ? revive(value) : value;
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
  };
  return { ...noopSerializer, deserializeEntity: (_context, entity) => walk(entity) };
}
