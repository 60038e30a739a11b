/**
 * oslo's duplicate detection for notifications: a listener remembers the `_unique_id` of the
 * last messages it acked (16 by default) and acks a repeat of one without handling it again.
 * Ids are remembered on ack, not on receipt, so a requeued message is handled when it returns.
 */

export interface DuplicateDetector {
  /** True when `uniqueId` is one of the ids remembered. */
  seen(uniqueId: string | undefined): boolean;
  /** Remembers `uniqueId`, forgetting the oldest id beyond the capacity. */
  remember(uniqueId: string | undefined): void;
}

export function duplicateDetector(capacity = 16): DuplicateDetector {
  // A Set iterates in insertion order, so its first entry is the oldest.
  const recent = new Set<string>();
  return {
    seen: (uniqueId) => !!uniqueId && recent.has(uniqueId),
    remember(uniqueId) {
      if (!uniqueId || recent.has(uniqueId)) return;
      recent.add(uniqueId);
      if (recent.size > capacity) recent.delete(recent.values().next().value as string);
    },
  };
}
