/**
 * What JSON would refuse or silently lose. The memory driver encodes every message, but
 * `JSON.stringify` drops functions and turns a Map into `{}` without a word; a test passing on
 * the memory transport would then fail on a real broker. So a body is checked before encoding,
 * and the first value that would not arrive as sent fails the send, named by its path.
 */

/** A message body holds a value that cannot cross the wire as it is. */
export class UnserializableValue extends TypeError {
  constructor(
    /** Where the value sits in the body, e.g. `args.options.callback`. */
    readonly path: string,
    readonly reason: string,
  ) {
    super(`Cannot send the message: ${path} ${reason}`);
    this.name = 'UnserializableValue';
  }
}

/** Types JSON encodes as `{}`, losing their content. */
const EMPTIED: readonly (abstract new (...args: never[]) => object)[] = [Map, Set, WeakMap, WeakSet, Promise];

/**
 * Throws `UnserializableValue` for a function, symbol, bigint, non-finite number, Map, Set,
 * WeakMap, WeakSet, Promise or circular reference anywhere in `body`. `undefined` passes: JSON
 * drops the key, which reads the same. Objects with `toJSON` (Date, Buffer) are the codec's to encode.
 */
export function assertWireSafe(body: Readonly<Record<string, unknown>>): void {
  const path: (string | number)[] = [];
  const ancestors = new Set<object>();
  for (const key of Object.keys(body)) {
    path.push(key);
    check(body[key], path, ancestors);
    path.pop();
  }
}

function check(value: unknown, path: (string | number)[], ancestors: Set<object>): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'undefined':
      return;
    case 'number':
      if (!Number.isFinite(value)) fail(path, `is ${value}, which JSON turns into null`);
      return;
    case 'bigint':
      return fail(path, 'is a bigint, which JSON cannot encode');
    case 'function':
      return fail(path, 'is a function, which JSON drops');
    case 'symbol':
      return fail(path, 'is a symbol, which JSON drops');
  }
  if (value === null) return;
  const object = value as Record<string | number, unknown>;
  if (ancestors.has(object)) fail(path, 'is a circular reference, which JSON cannot encode');
  if (typeof object['toJSON'] === 'function') return;
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== Array.prototype) {
    const emptied = EMPTIED.find((type) => object instanceof type);
    if (emptied) fail(path, `is a ${emptied.name}, which JSON turns into {}`);
  }
  ancestors.add(object);
  for (const key of Array.isArray(object) ? object.keys() : Object.keys(object)) {
    path.push(key);
    check(object[key], path, ancestors);
    path.pop();
  }
  ancestors.delete(object);
}

function fail(path: readonly (string | number)[], reason: string): never {
  const text = path.map((part, i) => (typeof part === 'number' ? `[${part}]` : i ? `.${part}` : part)).join('');
  throw new UnserializableValue(text, reason);
}
