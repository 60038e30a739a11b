/**
 * Typed driver options, set by value or by the URL query. A driver describes its options once
 * (name, type, default); `resolveOptions` merges defaults, the caller's object and the query,
 * and names the offending key when something is unknown or malformed.
 */
import { InvalidTransportUrl } from './errors.js';

type Kind = 'boolean' | 'number' | 'string';
/** The `kind` an option of value type `V` declares: 'boolean', 'number' or 'string'. */
export type KindOf<V> = V extends boolean ? 'boolean' : V extends number ? 'number' : V extends string ? 'string' : never;

/**
 * For each option, its default value and its kind, which says how a URL query value is parsed
 * (and checks a value given by object).
 *
 * @example
 * ```ts
 * interface MyOptions { readonly timeout_seconds: number; readonly tls_ca?: string }
 * const spec: OptionSpec<MyOptions> = { timeout_seconds: { default: 5, kind: 'number' }, tls_ca: { default: undefined, kind: 'string' } };
 * ```
 */
export type OptionSpec<O> = { readonly [K in keyof O]-?: { readonly default: O[K]; readonly kind: KindOf<NonNullable<O[K]>> } };

/**
 * A driver's options: the defaults of `spec`, overridden by `given` (options by value), then by
 * `query` (the URL's, parsed by kind: `true`/`false`/`1`/`0`/`yes`/`no`/`on`/`off` for booleans).
 * An unknown key or a malformed value throws `InvalidTransportUrl` naming the key; `url` is what
 * the error shows.
 *
 * @example
 * ```ts
 * const createDriver: CreateDriver = async ({ url, options }) => {
 *   const resolved = resolveOptions(spec, options as Partial<MyOptions>, url.query, url.url);
 *   return myDriver(url, resolved);
 * };
 * ```
 */
export function resolveOptions<O extends object>(spec: OptionSpec<O>, given: Partial<O> | undefined, query: Readonly<Record<string, string>>, url: string): O {
  const result: Record<string, unknown> = {};
  const specs = spec as Record<string, { default: unknown; kind: Kind }>;
  for (const [key, option] of Object.entries(specs)) result[key] = option.default;
  for (const [key, value] of Object.entries(given ?? {})) {
    const option = Object.hasOwn(specs, key) ? specs[key] : undefined;
    if (!option) throw new InvalidTransportUrl(url, `unknown option '${key}': known options are ${Object.keys(specs).join(', ')}`);
    if (value !== undefined && typeof value !== option.kind) {
      throw new InvalidTransportUrl(url, `option '${key}' must be a ${option.kind}, got ${JSON.stringify(value)}`);
    }
    if (value !== undefined) result[key] = value;
  }
  for (const [key, text] of Object.entries(query)) {
    const option = Object.hasOwn(specs, key) ? specs[key] : undefined;
    if (!option) throw new InvalidTransportUrl(url, `unknown query option '${key}': known options are ${Object.keys(specs).join(', ')}`);
    result[key] = parseValue(url, key, option.kind, text);
  }
  return result as O;
}

function parseValue(url: string, key: string, kind: Kind, text: string): unknown {
  switch (kind) {
    case 'string':
      return text;
    case 'number': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw new InvalidTransportUrl(url, `query option '${key}' must be a number, got '${text}'`);
      return value;
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(lower)) return true;
      if (['false', '0', 'no', 'off'].includes(lower)) return false;
      throw new InvalidTransportUrl(url, `query option '${key}' must be true or false, got '${text}'`);
    }
  }
}
