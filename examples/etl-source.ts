/**
 * The extract and transform steps shared by the ETL examples: instance lifecycle notifications
 * from the `notifications` topic (the others acked and dropped), and one flat record for each.
 * The load step (a file, a database) batches them and acks only what it has written.
 */
import type { Observable } from 'rxjs';
import { target, type IncomingNotification, type Notification, type Priority, type Transport } from '../lib/index.js';
import { filterNotifications } from '../operators/index.js';

export interface EtlSourceOptions {
  readonly topics?: readonly string[];
  /** A pool of its own gives the ETL a copy of every event, whoever else consumes them. */
  readonly pool?: string;
}

const PRIORITIES: readonly Priority[] = ['info', 'error'];

/** Instance lifecycle events, each still to be acked (or requeued) by whoever writes it. */
export function instanceEvents(transport: Transport, { topics = ['notifications'], pool }: EtlSourceOptions = {}): Observable<IncomingNotification> {
  return transport
    .notifications(
      topics.map((topic) => target({ topic })),
      pool === undefined ? { priorities: PRIORITIES } : { priorities: PRIORITIES, pool },
    )
    .pipe(filterNotifications({ eventType: '^compute\\.instance\\.' }));
}

/** One row of the warehouse. */
export interface InstanceRecord {
  readonly message_id: string;
  readonly event_type: string;
  readonly publisher_id: string;
  readonly priority: Priority;
  /** ISO 8601, UTC. */
  readonly occurred_at: string;
  readonly instance_id: string | null;
  readonly state: string | null;
  readonly project_id: string | null;
  readonly user_id: string | null;
}

export function toRecord(n: Notification): InstanceRecord {
  const payload = (typeof n.payload === 'object' && n.payload !== null ? n.payload : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  return {
    message_id: n.messageId,
    event_type: n.eventType,
    publisher_id: n.publisherId,
    priority: n.priority,
    // oslo's "2026-11-22 05:25:21.387733" is UTC without a zone.
    occurred_at: `${n.timestamp.replace(' ', 'T')}Z`,
    instance_id: text(payload['instance_id']),
    state: text(payload['state']),
    project_id: text(n.context['project_id']),
    user_id: text(n.context['user_id']),
  };
}
