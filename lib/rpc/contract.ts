/**
 * Contracts: an API described by Standard Schemas (zod, valibot, arktype...), one pair per
 * method, that gives the client and the server their types and is checked at run time.
 *
 * ```ts
 * const compute = contract({ get_host: { args: z.object({ id: z.number() }), result: z.object({ host: z.string() }) } });
 * const client = rpcClient(transport, target({ topic: 'compute' }), { contract: compute });
 * const server = rpcServer(transport, target({ topic: 'compute', server: 'h1' }), [{ get_host: ({ id }) => ({ host: `h${id}` }) }], { contract: compute });
 * ```
 */
import { isStandardSchema, type InferInput, type InferOutput, type StandardSchemaV1 } from '../core/schema.js';

/** One method's schemas: its named arguments (an object schema) and each value it returns. Either may be left out. */
export interface MethodContract<Args extends StandardSchemaV1 = StandardSchemaV1, Result extends StandardSchemaV1 = StandardSchemaV1> {
  readonly args?: Args;
  readonly result?: Result;
}

/** Method names to their schemas. */
export type RpcContract = { readonly [method: string]: MethodContract };

/** The arguments' schema of method `M` of contract `C`, or never when it has none. */
export type ArgsSchema<C, M extends keyof C> = C[M] extends { readonly args?: infer S } ? (S extends StandardSchemaV1 ? S : never) : never;
/** The result's schema of method `M` of contract `C`, or never when it has none. */
export type ResultSchema<C, M extends keyof C> = C[M] extends { readonly result?: infer S } ? (S extends StandardSchemaV1 ? S : never) : never;

/**
 * The API a client of the contract calls: it sends what the schemas accept and receives what the
 * server's result schema gives back. A method without an args schema takes any named arguments;
 * one without a result schema resolves to `unknown`.
 */
export type ClientApiOf<C extends RpcContract> = {
  readonly [M in Extract<keyof C, string>]: (
    args: [ArgsSchema<C, M>] extends [never] ? Record<string, unknown> : InferInput<ArgsSchema<C, M>>,
  ) => [ResultSchema<C, M>] extends [never] ? unknown : InferOutput<ResultSchema<C, M>>;
};

/** The API the server's endpoints implement: handlers receive what the args schema gives back and return what the result schema accepts. */
export type ServerApiOf<C extends RpcContract> = {
  readonly [M in Extract<keyof C, string>]: (
    args: [ArgsSchema<C, M>] extends [never] ? Record<string, unknown> : InferOutput<ArgsSchema<C, M>>,
  ) => [ResultSchema<C, M>] extends [never] ? unknown : InferInput<ResultSchema<C, M>>;
};

/** A contract from method schemas, checked now: every `args` and `result` given must be a Standard Schema. */
export function contract<const C extends RpcContract>(methods: C): C {
  if (typeof methods !== 'object' || methods === null) throw new TypeError('a contract is an object of methods to { args, result } schemas');
  for (const [method, schemas] of Object.entries(methods)) {
    if (typeof schemas !== 'object' || schemas === null) throw new TypeError(`contract method ${method} must be { args?, result? }, got ${String(schemas)}`);
    for (const key of ['args', 'result'] as const) {
      if (schemas[key] !== undefined && !isStandardSchema(schemas[key]))
        throw new TypeError(`contract method ${method}: ${key} is not a Standard Schema (zod, valibot, arktype... have '~standard')`);
    }
  }
  return Object.freeze({ ...methods });
}
