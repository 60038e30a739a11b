/** The seven notification priorities, in oslo's spelling (routing keys lower case, bodies upper case). */
export const PRIORITIES = ['audit', 'debug', 'info', 'warn', 'error', 'critical', 'sample'] as const;

/** A notification priority: 'audit', 'debug', 'info', 'warn', 'error', 'critical' or 'sample'. */
export type Priority = (typeof PRIORITIES)[number];

function isPriority(value: string): value is Priority {
  return (PRIORITIES as readonly string[]).includes(value);
}

/** A body's priority ('INFO', 'WARNING', 'warn', ...) as a `Priority`, or undefined when unknown. @internal */
export function parsePriority(value: unknown): Priority | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.toLowerCase();
  const priority = lower === 'warning' ? 'warn' : lower;
  return isPriority(priority) ? priority : undefined;
}
