import { concatMap, defer, from, map, type MonoTypeOperatorFunction, type Observable, of, pipe } from 'rxjs';
import { InvalidArguments, InvalidResult } from '../../lib/core/errors.js';
import { checkWith, type Checked, type StandardSchemaV1 } from '../../lib/core/schema.js';

/** The schemas of one method: its named arguments (an object) and each value it returns. */
export interface MethodSchemas {
  readonly args?: StandardSchemaV1;
  readonly result?: StandardSchemaV1;
}

/** Methods to their schemas, as `contract()` makes them; methods it does not name are not checked. */
export type ContractSchemas = { readonly [method: string]: MethodSchemas };

/**
 * The arguments of a call of `method` as its schema gives them back, or `InvalidArguments`
 * naming each failing path (thrown, or the Promise's rejection for an asynchronous schema).
 */
export function checkArgs(
  contract: ContractSchemas,
  method: string,
  args: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> | Promise<Readonly<Record<string, unknown>>> {
  const schema = schemasOf(contract, method)?.args;
  if (!schema) return args;
  const unwrap = (result: Checked<unknown>) => {
    if (result.issues) throw new InvalidArguments(method, result.issues);
    return result.value as Readonly<Record<string, unknown>>;
  };
  const result = checkWith(schema, args);
  return result instanceof Promise ? result.then(unwrap) : unwrap(result);
}

/** `checkArgs` as a stream of one value: what a server hands its handler. */
export function checkedArgs$(contract: ContractSchemas, method: string, args: Readonly<Record<string, unknown>>): Observable<Readonly<Record<string, unknown>>> {
  return defer(() => {
    const checked = checkArgs(contract, method, args);
    return checked instanceof Promise ? from(checked) : of(checked);
  });
}

/** Checks each value a handler of `method` returns before it is sent; a refused one fails the call with `InvalidResult`. */
export function checkResults(contract: ContractSchemas, method: string): MonoTypeOperatorFunction<unknown> {
  const schema = schemasOf(contract, method)?.result;
  if (!schema) return pipe();
  const unwrap = (result: Checked<unknown>) => {
    if (result.issues) throw new InvalidResult(method, result.issues);
    return result.value;
  };
  // In order, and without a hop for the synchronous schemas most are.
  return concatMap((value) => {
    const result = checkWith(schema, value);
    return result instanceof Promise ? from(result).pipe(map(unwrap)) : of(unwrap(result));
  });
}

/** Own methods only: a method named `toString` or `__proto__` has no schema unless the contract gives it one. */
function schemasOf(contract: ContractSchemas, method: string): MethodSchemas | undefined {
  return Object.hasOwn(contract, method) ? contract[method] : undefined;
}
