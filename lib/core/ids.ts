import { randomBytes, randomUUID } from 'node:crypto';

// 64 random bits per process, then a counter: as unique as a uuid4 for our purposes (message and
// duplicate ids, queue suffixes) at a fraction of its cost on the per-message path.
const prefix = randomBytes(8).toString('hex');
let counter = 0;

/**
 * A fresh id of 32 hex digits, the shape oslo gives `_msg_id`, `_unique_id` and queue suffixes.
 *
 * @example
 * ```ts
 * const queue = `reply_${hexId()}`;
 * ```
 */
export function hexId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return prefix + counter.toString(16).padStart(16, '0');
}

/**
 * A uuid4 with dashes, oslo's form for a notification's `message_id`.
 *
 * @example
 * ```ts
 * const messageId = uuid(); // e.g. '3f2b8c1e-6d0a-4f4e-9b7a-2c5d1e8f9a10'
 * ```
 */
export function uuid(): string {
  return randomUUID();
}
