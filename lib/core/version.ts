/** oslo's "X.Y[.rev]" version strings and the compatibility rule every RPC party applies. */

const VERSION = /^\d+(\.\d+){1,2}$/;

/** @internal */
export function isVersion(value: string): boolean {
  return VERSION.test(value);
}

// Every request of a server compares the same few versions: parse each once. Bounded, since
// versions come from the wire.
const parsed = new Map<string, readonly [number, number, number]>();

function parts(version: string): readonly [number, number, number] {
  let known = parsed.get(version);
  if (!known) {
    const [major = 0, minor = 0, rev = 0] = version.split('.').map(Number);
    known = [major, minor, rev];
    if (parsed.size < 256) parsed.set(version, known);
  }
  return known;
}

/**
 * True when a party implementing `implemented` can serve a request for `requested`: same major,
 * requested minor not above, and on an equal minor the revision not above either.
 *
 * @example
 * ```ts
 * versionIsCompatible('1.3', '1.2'); // true
 * versionIsCompatible('1.3', '2.0'); // false
 * ```
 */
export function versionIsCompatible(implemented: string, requested: string): boolean {
  const [iMajor, iMinor, iRev] = parts(implemented);
  const [rMajor, rMinor, rRev] = parts(requested);
  if (iMajor !== rMajor) return false;
  if (rMinor !== iMinor) return rMinor < iMinor;
  return rRev <= iRev;
}
