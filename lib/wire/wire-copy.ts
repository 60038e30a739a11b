/**
 * A message body as it would arrive over a JSON wire, without the wire. The memory driver must
 * hand receivers what RabbitMQ would (a Date as oslo's datetime text, every string as it was sent,
 * no `undefined` keys, a copy the sender can no longer change) and refuse what JSON would lose without a word (a
 * function dropped, a Map turned into `{}`), so a test passing here passes on a real broker.
 * One walk that checks and copies gives what encoding to bytes and parsing them back would, at a
 * fraction of the cost, on every message of the in-memory transport's hot path.
 *
 * `wireCopy(body)` equals `defaultCodec.decode(defaultCodec.encode(body))` (a spec holds it to
 * that), or throws `UnserializableValue` naming where the offending value sits. The JSON drivers
 * (RabbitMQ, ZeroMQ) encode its copy, so every transport refuses the same values in the same words.
 */
import { UnserializableValue } from '../core/errors.js';
import { setOwn } from '../core/record.js';
import { formatDate } from './codec.js';

/** @internal */
export type WireBody = Readonly<Record<string, unknown>>;

/** Types JSON encodes as `{}`, losing their content. */
const EMPTIED: readonly (abstract new (...args: never[]) => object)[] = [Map, Set, WeakMap, WeakSet, Promise];

/**
 * Below this depth no cycle is looked for (a body is rarely deeper); at it, the subtree is
 * searched once, so the common case pays nothing for cycle detection.
 */
const CYCLE_CHECK_DEPTH = 64;

/**
 * Deeper bodies are refused: Python's json (oslo's peers) cannot read them, and a walk or
 * JSON.stringify of 100,000 levels overflows the stack instead of saying where.
 */
const MAX_DEPTH = 1000;

/** Unwinds the walk, gathering the path on the way up. */
class Refused {
  readonly path: (string | number)[] = [];
  constructor(
    readonly reason: string,
    readonly circular = false,
  ) {}
}

/** The body a receiver would decode, or `UnserializableValue` for anything JSON would refuse or lose. @internal */
export function wireCopy(body: WireBody): Record<string, unknown> {
  try {
    return copyObject(body, 0);
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    // A loop is noticed deep down; searched again from the top, the path ends where it first closes.
    const refused = error.circular ? cycleIn(body) : error;
    const text = refused.path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i ? `.${part}` : part)).join('');
    throw new UnserializableValue(text, refused.reason);
  }
}

/** A fresh copy of what `wireCopy` returned: each delivery gets its own, as each would decode its own. @internal */
export function cloneWireBody(body: WireBody): Record<string, unknown> {
  return cloneValue(body) as Record<string, unknown>;
}

function copyValue(value: unknown, key: string, depth: number): unknown {
  if (typeof value === 'object' && value !== null) {
    // The JSON codec writes every Date in oslo's format, and reads it back as the string it is.
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : formatDate(value);
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new Refused(`is ${value}, which JSON turns into null`);
      return value === 0 ? 0 : value; // -0 arrives as 0
    case 'string':
    case 'boolean':
    case 'undefined':
      return value;
    case 'bigint':
      throw new Refused('is a bigint, which JSON cannot encode');
    case 'function':
      throw new Refused('is a function, which JSON drops');
    case 'symbol':
      throw new Refused('is a symbol, which JSON drops');
  }
  if (value === null) return null;
  if (depth === CYCLE_CHECK_DEPTH) assertAcyclic(value as object);
  if (depth >= MAX_DEPTH) throw new Refused(`is nested deeper than ${MAX_DEPTH} levels, which oslo's JSON cannot read`);
  if (Array.isArray(value)) return copyArray(value, depth + 1);
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const emptied = EMPTIED.find((type) => value instanceof type);
    if (emptied) throw new Refused(`is a ${emptied.name}, which JSON turns into {}`);
    // JSON writes boxed primitives as their values.
    if (value instanceof Number || value instanceof String || value instanceof Boolean) return copyValue(value.valueOf(), key, depth);
  }
  return copyObject(value as WireBody, depth + 1);
}

function copyObject(object: WireBody, depth: number): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  const keys = Object.keys(object);
  let i = 0;
  try {
    for (; i < keys.length; i++) {
      const key = keys[i] as string;
      const value = copyValue(object[key], key, depth);
      if (value !== undefined) setOwn(copy, key, value);
    }
  } catch (error) {
    if (error instanceof Refused) error.path.unshift(keys[i] as string);
    throw error;
  }
  return copy;
}

function copyArray(array: readonly unknown[], depth: number): unknown[] {
  const copy = new Array<unknown>(array.length);
  let i = 0;
  try {
    for (; i < array.length; i++) copy[i] = copyValue(array[i], String(i), depth) ?? null;
  } catch (error) {
    if (error instanceof Refused) error.path.unshift(i);
    throw error;
  }
  return copy;
}

function cycleIn(body: WireBody): Refused {
  try {
    assertAcyclic(body);
  } catch (error) {
    if (error instanceof Refused) return error;
    throw error;
  }
  throw new Error('a cycle was found, then not found again: the body changed while it was being sent');
}

/** Throws `Refused` (with the path from `root`) at the first object that contains itself. */
function assertAcyclic(root: object): void {
  const ancestors = new Set<object>();
  const visit = (value: unknown): void => {
    // Deeper than the copy goes: it refuses the body there.
    if (typeof value !== 'object' || value === null || ancestors.size > MAX_DEPTH) return;
    if (ancestors.has(value)) throw new Refused('is a circular reference, which JSON cannot encode', true);
    ancestors.add(value);
    const keys = Object.keys(value);
    for (const key of keys) {
      try {
        visit((value as Record<string, unknown>)[key]);
      } catch (error) {
        if (error instanceof Refused) error.path.unshift(Array.isArray(value) ? Number(key) : key);
        throw error;
      }
    }
    ancestors.delete(value);
  };
  visit(root);
}

/**
 * Copies what `wireCopy` made: plain objects, arrays and JSON's primitives, no symbol keys. A
 * spread copies an object's fields in one step (V8 clones its layout), then only nested values are
 * set, walked by `for...in` over own fields only, as JSON takes them.
 */
function cloneValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneValue);
  const copy: Record<string, unknown> = { ...value };
  for (const key in copy) {
    const field = copy[key];
    if (typeof field === 'object' && field !== null && Object.hasOwn(copy, key)) setOwn(copy, key, cloneValue(field));
  }
  return copy;
}
