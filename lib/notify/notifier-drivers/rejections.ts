/** A send that failed: its place among the sends, and why. @internal */
export interface Rejection {
  readonly index: number;
  readonly reason: unknown;
}

/**
 * Waits for every send of a notification, each of which may fail on its own (a driver, a topic),
 * and gives the sends that failed, in order; none, nearly always.
 * One send, the usual case (one driver, one topic), costs one await where `Promise.allSettled`
 * builds a result per send, about ten times as much on a path every notification takes.
 * @internal
 */
export async function rejectionsOf(sends: readonly Promise<unknown>[]): Promise<readonly Rejection[]> {
  if (sends.length === 1) {
    try {
      await sends[0];
      return NONE;
    } catch (reason) {
      return [{ index: 0, reason }];
    }
  }
  const results = await Promise.allSettled(sends);
  return results.flatMap((result, index) => (result.status === 'rejected' ? [{ index, reason: result.reason as unknown }] : []));
}

const NONE: readonly Rejection[] = Object.freeze([]);
