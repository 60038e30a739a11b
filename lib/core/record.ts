/** An object with named fields: not null, not an array. Class instances (a Date, a Map) pass; callers that must tell them apart check. @internal */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Sets `object[key] = value` as an own data property whatever the key: plain assignment of
 * `__proto__` would replace the object's prototype instead (JSON.parse, too, makes it an own key). @internal
 */
export function setOwn(object: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  else object[key] = value;
}
