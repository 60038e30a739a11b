/** An object with named fields: not null, not an array. Class instances (a Date, a Map) pass; callers that must tell them apart check. @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
