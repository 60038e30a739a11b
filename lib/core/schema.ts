/**
 * Standard Schema (standardschema.dev), the interface zod, valibot and arktype share: a schema is
 * any value with `~standard.validate(value)`, which returns `{ value }` or `{ issues }`, possibly
 * in a Promise. Written out here, types only, so the package depends on no schema library.
 */

export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export type StandardResult<Output> = { readonly value: Output; readonly issues?: undefined } | { readonly issues: readonly StandardIssue[] };

/** One problem a Standard Schema validator found: its message and the path of the value it is about. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: readonly (PropertyKey | { readonly key: PropertyKey })[] | undefined;
}

/** What a schema accepts. */
export type InferInput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['input'];
/** What a schema gives back for a value it accepts (after its defaults and transforms). */
export type InferOutput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];

/** One reason a value was refused: where (`flavor.vcpus`, `items.0`; '' for the value itself) and why. */
export interface SchemaIssue {
  readonly path: string;
  readonly message: string;
}

/** A validated value, or the issues that refused it. */
export type Checked<T> = { readonly value: T; readonly issues?: undefined } | { readonly issues: readonly SchemaIssue[] };

/**
 * Validates `value` with `schema`; synchronous whenever the schema is (most are), so a message
 * that passes takes no Promise hop.
 */
export function checkWith<T>(schema: StandardSchemaV1<unknown, T>, value: unknown): Checked<T> | Promise<Checked<T>> {
  const result = schema['~standard'].validate(value);
  return result instanceof Promise ? result.then(checked) : checked(result);
}

function checked<T>(result: StandardResult<T>): Checked<T> {
  return result.issues ? { issues: result.issues.map(toIssue) } : { value: result.value };
}

function toIssue(issue: StandardIssue): SchemaIssue {
  const path = (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.');
  return { path, message: issue.message };
}

/** `path: message; ...`, as error messages list issues. */
export function describeIssues(issues: readonly SchemaIssue[]): string {
  return issues.map(({ path, message }) => (path ? `${path}: ${message}` : message)).join('; ');
}

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  return typeof (value as StandardSchemaV1 | undefined)?.['~standard']?.validate === 'function';
}
