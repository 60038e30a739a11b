/** A send that failed: its place among the sends, and why. @internal */
export interface Rejection {
  readonly index: number;
  readonly reason: unknown;
}

/**
 * Waits for every send of a notification, each of which may fail on its own (a driver, a topic),
 * and gives the sends that failed, in order; none, nearly always.
 * One send, the usual case (one driver, one topic), costs one `then` where `Promise.allSettled`
 * builds a result per send, about ten times as much on a path every notification takes.
 * @internal
 */
export function rejectionsOf(sends: readonly Promise<unknown>[]): Promise<readonly Rejection[]> {
  // Promise.resolve hands a promise back as it is, and still reads a driver that returned no promise.
  if (sends.length === 1) return Promise.resolve(sends[0]).then(none, failedFirst);
  return Promise.allSettled(sends).then((results) => results.flatMap((result, index) => (result.status === 'rejected' ? [{ index, reason: result.reason as unknown }] : [])));
}

const none = () => NONE;
const failedFirst = (reason: unknown): readonly Rejection[] => [{ index: 0, reason }];

const NONE: readonly Rejection[] = Object.freeze([]);
