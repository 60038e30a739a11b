/**
 * Waits for every send of a notification, each of which may fail on its own (a driver, a topic):
 * the rejections, in the order of the sends, `undefined` where a send succeeded.
 * One send, the usual case (one driver, one topic), costs one await where `Promise.allSettled`
 * builds a result per send, about ten times as much on a path every notification takes.
 * @internal
 */
export async function rejectionsOf(sends: readonly Promise<unknown>[]): Promise<readonly ({ readonly reason: unknown } | undefined)[]> {
  if (sends.length === 1) {
    try {
      await sends[0];
      return NONE_FAILED;
    } catch (reason) {
      return [{ reason }];
    }
  }
  const results = await Promise.allSettled(sends);
  return results.map((result) => (result.status === 'rejected' ? { reason: result.reason as unknown } : undefined));
}

const NONE_FAILED: readonly undefined[] = Object.freeze([undefined]);
