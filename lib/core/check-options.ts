/**
 * The options a factory is given, checked when it is called: an unknown key, a value of the
 * wrong kind or out of range, a factory passed where its value belongs, each fails at once with
 * `InvalidOptions` naming the factory, the key, what was given and what to pass instead, rather
 * than later, on the first message.
 */
import { InvalidOptions } from './errors.js';
import { isRecord } from './record.js';

/** What to pass instead, when `value` will not do; undefined when it will. @internal */
export type OptionCheck = (value: unknown) => string | undefined;

/**
 * Throws `InvalidOptions` unless `options` is absent or an object whose every key `checks` knows
 * and whose every defined value passes its check. @internal
 */
export function checkOptions(factory: string, options: unknown, checks: Readonly<Record<string, OptionCheck>>): void {
  if (options === undefined) return;
  if (!isRecord(options)) throw new InvalidOptions(factory, '', describeValue(options), 'an object of options, or left out');
  for (const key of Object.keys(options)) {
    const check = Object.hasOwn(checks, key) ? checks[key] : undefined;
    if (!check) throw new InvalidOptions(factory, key, describeValue(options[key]), `left out: it is none of the options ${factory} knows (${Object.keys(checks).join(', ')})`);
    checkOption(factory, key, options[key], check);
  }
}

/**
 * Throws `InvalidOptions` unless `value`, the option (or argument) `key` of `factory`, passes
 * `check`; an absent value passes unless `required`. @internal
 */
export function checkOption(factory: string, key: string, value: unknown, check: OptionCheck, required = false): void {
  if (value === undefined && !required) return;
  const instead = check(value);
  if (instead !== undefined) throw new InvalidOptions(factory, key, describeValue(value), instead);
}

/** A whole number of at least `min` (1: 'a positive integer'). @internal */
export function integerFrom(min: number): OptionCheck {
  const wanted = min === 1 ? 'a positive integer' : `a whole number >= ${min}`;
  return (value) => (typeof value === 'number' && Number.isInteger(value) && value >= min ? undefined : wanted);
}

/** A whole number of at least 1, or `Infinity` for no limit. @internal */
export const countOrInfinity: OptionCheck = (value) =>
  value === Infinity || (typeof value === 'number' && Number.isInteger(value) && value >= 1) ? undefined : 'a positive integer, or Infinity for no limit';

/** A finite number of at least 0 (a delay in ms, say). @internal */
export const nonNegativeNumber: OptionCheck = (value) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 ? undefined : 'a finite number >= 0');

/** A finite number above 0 (a duration in ms, say). @internal */
export const positiveNumber: OptionCheck = (value) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? undefined : 'a positive finite number');

/** @internal */
export const isBoolean: OptionCheck = (value) => (typeof value === 'boolean' ? undefined : 'true or false');
/** @internal */
export const isString: OptionCheck = (value) => (typeof value === 'string' ? undefined : 'a string');
/** @internal */
export const isFunction: OptionCheck = (value) => (typeof value === 'function' ? undefined : 'a function');
/** An object (not an array), e.g. a serializer, a contract, a scheduler. @internal */
export function objectWith(what: string, methods: readonly string[] = []): OptionCheck {
  return (value) => (isRecord(value) && methods.every((method) => typeof value[method] === 'function') ? undefined : what);
}
/** An array whose every item passes `item`. @internal */
export function arrayOf(what: string, item: OptionCheck = () => undefined): OptionCheck {
  return (value) => (Array.isArray(value) && value.every((each) => item(each) === undefined) ? undefined : what);
}
/** Anything: a key known, checked where it is used. @internal */
export const anything: OptionCheck = () => undefined;

/** An executor value (`run`, `close`, a `concurrency`), never its factory. @internal */
export const isExecutor: OptionCheck = (value) => {
  if (typeof value === 'function') return `an executor, not its factory: call it (${value.name ? `${value.name}()` : 'blockingExecutor()'})`;
  return isRecord(value) && typeof value['run'] === 'function' && typeof value['close'] === 'function' && typeof value['concurrency'] === 'number'
    ? undefined
    : 'an executor: blockingExecutor(), microtaskExecutor({ concurrency }) or workerPoolExecutor({ module })';
};

/** An error class, as `expectedErrors` and `allowedRemoteErrors` list them. @internal */
export const isErrorClass: OptionCheck = (value) => (typeof value === 'function' && (value === Error || value.prototype instanceof Error) ? undefined : 'an Error class');

/** A short account of a value for a message: its kind, and the value when it is short and plain. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'function':
      return value.name ? `the function ${value.name}` : 'a function';
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'string':
      return value.length > 40 ? 'a string' : `string ${JSON.stringify(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** @internal */
export const isSerializer = objectWith('a Serializer (serializeEntity, deserializeEntity, serializeContext, deserializeContext)', [
  'serializeEntity',
  'deserializeEntity',
  'serializeContext',
  'deserializeContext',
]);
/** @internal */
export const isScheduler = objectWith('an RxJS scheduler (asyncScheduler, a TestScheduler)', ['now', 'schedule']);
/** @internal */
export const isErrorClasses = arrayOf('an array of Error classes', isErrorClass);
