import { randomUUID } from 'node:crypto';

/** A uuid4 as 32 hex digits, oslo's form for `_msg_id`, `_unique_id` and queue suffixes. */
export function hexId(): string {
  return randomUUID().replaceAll('-', '');
}

/** A uuid4 with dashes, oslo's form for a notification's `message_id`. */
export function uuid(): string {
  return randomUUID();
}
