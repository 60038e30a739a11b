/**
 * Handler errors on the wire, in oslo's failure format: the server turns an error into a
 * `RemoteFailure`; the client turns it back into the error class when the caller allowed that
 * class (or it is a JavaScript built-in or one of rx-messaging's own), into `RemoteError` otherwise.
 *
 * A JavaScript built-in goes out as the Python built-in that means the same, which an oslo client
 * rebuilds without an allow-list (oslo calls `klass(*args, **kwargs)`, so these carry no kwargs);
 * the JavaScript class and fields ride beside them, in a `javascript` key oslo ignores, for
 * rx-messaging callers to rebuild the very class.
 */
import type { RemoteFailure } from '../driver/rpc.js';
import { InvalidArguments, InvalidResult, MalformedMessage, NoSuchMethod, RemoteError, UnserializableValue, UnsupportedVersion } from '../core/errors.js';
import { isRecord } from '../core/record.js';

/** An error class the client may rebuild, matched by its name (and `module`, when the class has a static one). */
export type ErrorClass = (new (...args: never[]) => Error) & { readonly module?: string };

/** Where rx-messaging's dispatch errors come from on an oslo wire. @internal */
export const DISPATCHER_MODULE = 'oslo_messaging.rpc.dispatcher';

const BUILTINS: readonly ErrorClass[] = [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError];

/**
 * The Python built-in each JavaScript built-in goes out as. JavaScript throws a SyntaxError at run
 * time for malformed data (JSON.parse, RegExp), where Python raises ValueError (json's
 * JSONDecodeError is one); a ReferenceError is Python's NameError. EvalError has no counterpart,
 * and an ExceptionGroup cannot be rebuilt from a message alone: both go out as Exception.
 */
export const PYTHON_BUILTINS: Readonly<Record<string, string>> = {
  Error: 'Exception',
  TypeError: 'TypeError',
  RangeError: 'ValueError',
  SyntaxError: 'ValueError',
  ReferenceError: 'NameError',
  EvalError: 'Exception',
  URIError: 'ValueError',
  AggregateError: 'Exception',
};

/** Where a JavaScript error class that is no Python built-in comes from on an oslo wire. */
export const REMOTE_MODULE = 'rx_messaging.remote';
// A request the server could not read, or a result it could not send, comes back as the very class too.
const OWN: readonly ErrorClass[] = [NoSuchMethod, UnsupportedVersion, InvalidArguments, InvalidResult, MalformedMessage, UnserializableValue];
const BUILTIN_MODULES = new Set(['builtins', 'exceptions']);
const ERROR_FIELDS = new Set(['name', 'message', 'stack', 'cause', 'args', 'kwargs', 'module']);

/**
 * The failure a server sends for `error`. Own enumerable fields of the error travel as `kwargs`.
 *
 * @example
 * ```ts
 * await incoming.reply({ result: null, failure: toFailure(new RangeError('no such flavor')), ending: true });
 * ```
 */
export function toFailure(error: unknown): RemoteFailure {
  const err = error instanceof Error ? error : new Error(String(error));
  const fields = err as unknown as Record<string, unknown>;
  const kwargs = isRecord(fields['kwargs']) ? fields['kwargs'] : Object.fromEntries(Object.entries(err).filter(([key]) => !ERROR_FIELDS.has(key)));
  const failure = {
    class: classOf(err),
    module: moduleOf(err),
    message: err.message,
    tb: (err.stack ?? `${err.name}: ${err.message}`).split('\n').map((line) => `${line}\n`),
    args: Array.isArray(fields['args']) ? fields['args'] : [err.message],
    kwargs,
  };
  const python = isPlainBuiltin(err) ? PYTHON_BUILTINS[err.name] : undefined;
  if (python === undefined) return failure;
  // kwargs the error carries itself were meant for the wire; fields of its own would make oslo's rebuild fail.
  const own = isRecord(fields['kwargs']) ? {} : kwargs;
  if (python === failure.class && !Object.keys(own).length) return failure;
  return { ...failure, class: python, kwargs: own === kwargs ? {} : kwargs, javascript: { class: failure.class, kwargs: own } };
}

/** An instance of a JavaScript built-in itself (not a subclass), under the built-in's own name. */
function isPlainBuiltin(err: Error): boolean {
  const ctor = err.constructor as ErrorClass | undefined;
  return ctor !== undefined && BUILTINS.includes(ctor) && err.name === ctor.prototype.name && (err as { module?: unknown }).module === undefined;
}

/**
 * The class name oslo sends. A subclass that never sets `name` inherits its built-in parent's
 * ('Error'); its constructor's name is the one a client's allow-list matches.
 */
function classOf(err: Error): string {
  const ctor = err.constructor as ErrorClass | undefined;
  const inherited = !Object.hasOwn(err, 'name') && BUILTINS.some((cls) => cls.prototype.name === err.name);
  if (inherited && typeof ctor === 'function' && ctor.name && !BUILTINS.includes(ctor)) return ctor.name;
  return err.name || ctor?.name || 'Error';
}

function moduleOf(err: Error): string {
  const declared = (err as { module?: unknown }).module ?? (err.constructor as { module?: unknown }).module;
  if (typeof declared === 'string') return declared;
  if (OWN.some((cls) => err instanceof cls)) return DISPATCHER_MODULE;
  return isPlainBuiltin(err) ? 'builtins' : REMOTE_MODULE;
}

/**
 * The error a caller sees for `failure`: an instance of the matching allowed, built-in or
 * rx-messaging class, with the remote message, fields and traceback; else a `RemoteError`.
 *
 * @example
 * ```ts
 * if (reply.failure) throw fromFailure(reply.failure, [QuotaExceeded]);
 * ```
 */
export function fromFailure(failure: RemoteFailure, allowed: readonly ErrorClass[] = []): Error {
  const javascript = failure.javascript && BUILTIN_MODULES.has(failure.module) ? BUILTINS.find((cls) => cls.name === failure.javascript?.class) : undefined;
  const cls = javascript ?? findClass(failure, allowed);
  if (!cls) return new RemoteError(failure.class, failure.message, failure.tb, failure.module);
  const name = javascript ? javascript.name : failure.class;
  const error = Object.create(cls.prototype) as Error & Record<string, unknown>;
  // A '__proto__' key (own, from JSON.parse) would replace the prototype and forge `instanceof`.
  Object.assign(error, Object.fromEntries(Object.entries((javascript && failure.javascript?.kwargs) || failure.kwargs).filter(([key]) => key !== '__proto__')));
  Object.defineProperties(error, {
    name: { value: name, writable: true, configurable: true },
    message: { value: failure.message, writable: true, configurable: true },
    stack: { value: `${name}: ${failure.message}\n--- remote traceback ---\n${failure.tb.join('')}`, writable: true, configurable: true },
  });
  return error;
}

function findClass(failure: RemoteFailure, allowed: readonly ErrorClass[]): ErrorClass | undefined {
  const named = (cls: ErrorClass) => cls.name === failure.class;
  if (failure.module === DISPATCHER_MODULE) return OWN.find(named);
  if (BUILTIN_MODULES.has(failure.module)) return BUILTINS.find(named) ?? allowed.find((cls) => named(cls) && (!cls.module || cls.module === failure.module));
  return allowed.find((cls) => named(cls) && (cls.module === undefined || cls.module === failure.module));
}
