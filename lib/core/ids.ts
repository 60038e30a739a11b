import { randomBytes } from 'node:crypto';

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
 * An id in a uuid4's form with dashes, oslo's form for a notification's `message_id`: a `hexId`
 * with the version and variant digits set. Its digits are the process's random ones and the
 * counter, not fresh random ones: as unique, and `randomUUID` with the refills of its random
 * cache cost about 4 % of a memory:// notification. The digits set over are random ones (the
 * version) and the top of the counter's high part (the variant), which is 0 for the first 2^56 ids.
 *
 * @example
 * ```ts
 * const messageId = uuid(); // e.g. '3f2b8c1e-6d0a-4f4e-8000-00001000a2c1'
 * ```
 */
export function uuid(): string {
  const id = hexId();
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-8${id.slice(17, 20)}-${id.slice(20)}`;
}
