import { randomBytes, randomUUID } from 'node:crypto';

// 64 random bits per process, then a counter: as unique as a uuid4 for our purposes (message and
// duplicate ids, queue suffixes) at a fraction of its cost on the per-message path. The counter's
// low part stays a small integer, whose hex form is fast to make: it runs from 2^28 to 2^29, where
// that form is always 8 digits long (no padding to make); the high part changes once in 2^28 ids.
const random = randomBytes(8).toString('hex');
const LOW_FIRST = 2 ** 28;
const LOW_END = 2 ** 29;
let high = 0;
let head = headOf(high);
let low = LOW_FIRST;

function headOf(count: number): string {
  return random + count.toString(16).padStart(8, '0');
}

/**
 * A fresh id of 32 hex digits, the shape oslo gives `_msg_id`, `_unique_id` and queue suffixes.
 *
 * @example
 * ```ts
 * const queue = `reply_${hexId()}`;
 * ```
 */
export function hexId(): string {
  if (++low === LOW_END) {
    low = LOW_FIRST;
    high = (high + 1) % 2 ** 32;
    head = headOf(high);
  }
  return head + low.toString(16);
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
