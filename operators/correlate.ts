import { filter, pipe, takeWhile, type MonoTypeOperatorFunction } from 'rxjs';
import type { Reply } from '../lib/driver.js';

/**
 * One call's replies out of the transport's shared reply stream: those with the call's message
 * id, up to and including the one marked `ending`. Heartbeats pass through, so a `callTimeout`
 * placed after it sees them.
 */
export function correlate(msgId: string): MonoTypeOperatorFunction<Reply> {
  return pipe(
    filter((reply) => reply.msgId === msgId),
    takeWhile((reply) => !reply.ending, true),
  );
}
