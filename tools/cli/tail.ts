/**
 * `rxm tail`: prints each notification of a topic as one line of NDJSON as it arrives and acks
 * it, until SIGINT/SIGTERM or `--count`. It reads a pool's copy (by default a pool of its own),
 * so it never takes a message away from the topic's consumers.
 */
import { randomBytes } from 'node:crypto';
import { connect, type IncomingNotification, notificationFilter, type NotificationFilterRule, PRIORITIES, redactUrl, target } from '../../lib/index.js';
import type { Subscription } from 'rxjs';
import { filterNotifications } from '../../operators/index.js';
import { type CommandIo, type ExitCode, onSignals, parseCommand, parseInteger, runCommand, STANDARD_IO, URL_HELP, URL_OPTION } from './args.js';
import { parsePriority } from './notify.js';
import { UsageError } from '../simulator/options.js';

export const TAIL_USAGE = `Usage: rxm tail [options]

Prints every notification on the topic as one line of JSON (priority, eventType, publisherId,
timestamp, messageId, payload, context) and acks it, until SIGINT/SIGTERM or --count. It reads
a pool of its own by default (rxm-tail-<random hex>, its queue deleted when tail stops), so it
takes no message away from the topic's listeners: each pool gets its own copy of every message.
A 'ready:' line on stderr says when it listens.

${URL_HELP}
  --topic NAME          the notification topic (default notifications)
  --priority P          only this priority (repeatable; default all: ${PRIORITIES.join(', ')})
  --pool NAME           read pool NAME's copy instead (shared with that pool's other listeners;
                        its queue stays on the broker, keeping what arrives for the next reader)
  --filter FIELD=REGEX  only notifications whose FIELD matches REGEX from its start (repeatable;
                        FIELD is eventType, publisherId, context.KEY, payload.KEY,
                        metadata.message_id or metadata.timestamp); the others are acked unprinted
  --count N             stop after printing N notifications
  -h, --help            this text

Example:
  rxm tail --url rabbit://guest:guest@localhost:5672/ --priority error --filter 'eventType=compute\\.'
`;

const FIELDS: Readonly<Record<string, 'eventType' | 'publisherId'>> = { eventType: 'eventType', event_type: 'eventType', publisherId: 'publisherId', publisher_id: 'publisherId' };
const KEYED = ['context', 'payload', 'metadata'] as const;

/** `--filter FIELD=REGEX` flags as one filter rule; each pattern is compiled now, so a bad one is a usage error. */
export function parseFilters(flags: readonly string[]): NotificationFilterRule {
  const rule: { -readonly [K in keyof NotificationFilterRule]: NotificationFilterRule[K] } = {};
  for (const flag of flags) {
    const equals = flag.indexOf('=');
    if (equals <= 0) throw new UsageError(`--filter must be FIELD=REGEX, got '${flag}'`);
    const field = flag.slice(0, equals);
    const pattern = flag.slice(equals + 1);
    const dot = field.indexOf('.');
    const group = KEYED.find((name) => field.slice(0, dot) === name);
    if (Object.hasOwn(FIELDS, field)) rule[FIELDS[field]!] = pattern;
    else if (group && dot < field.length - 1) rule[group] = { ...rule[group], [field.slice(dot + 1)]: pattern };
    else throw new UsageError(`--filter field '${field}' is none of eventType, publisherId, context.KEY, payload.KEY, metadata.KEY`);
  }
  try {
    notificationFilter(rule);
  } catch (error) {
    throw new UsageError(`--filter: ${(error as Error).message}`);
  }
  return rule;
}

/** The line printed for a notification. */
export function notificationLine(n: IncomingNotification): string {
  return JSON.stringify({
    priority: n.priority,
    eventType: n.eventType,
    publisherId: n.publisherId,
    timestamp: n.timestamp,
    messageId: n.messageId,
    payload: n.payload,
    context: n.context,
  });
}

export function tail(argv: readonly string[], io: CommandIo = STANDARD_IO): Promise<ExitCode> {
  return runCommand('rxm tail', argv, TAIL_USAGE, io, async (useUrl) => {
    const { values } = parseCommand(argv, {
      ...URL_OPTION,
      topic: { type: 'string' },
      priority: { type: 'string', multiple: true },
      pool: { type: 'string' },
      filter: { type: 'string', multiple: true },
      count: { type: 'string' },
    });
    const topic = values.topic ?? 'notifications';
    const priorities = values.priority?.map((p) => parsePriority(p));
    const rule = parseFilters(values.filter ?? []);
    const count = parseInteger(values.count, '--count', Number.POSITIVE_INFINITY);
    const pool = values.pool ?? `rxm-tail-${randomBytes(4).toString('hex')}`;
    // A pool's queue is named after it: this one would be the topic's own queue, whose messages tail would take.
    if (PRIORITIES.some((p) => pool === `${topic}.${p}`)) throw new UsageError(`--pool ${pool} is the topic's own queue: tail would take its messages from the listeners`);
    const url = useUrl(values.url);
    const transport = await connect(url);
    try {
      await new Promise<void>((resolve, reject) => {
        let printed = 0;
        let stopped = false;
        let subscription: Subscription | undefined;
        const acks = new Set<Promise<void>>();
        // Stops taking notifications, then waits for the acks of those printed.
        const stop = () => {
          if (stopped) return;
          stopped = true;
          subscription?.unsubscribe();
          removeSignals();
          Promise.all(acks).then(() => resolve(), reject);
        };
        const removeSignals = onSignals(stop, () => {});
        subscription = transport
          .notifications([target({ topic })], {
            pool,
            // Its own pool goes with it; a pool named on the command line may be others' too, and stays.
            autoDeletePool: values.pool === undefined,
            ...(priorities && { priorities }),
            onReady: () => io.stderr.write(`ready: tail on ${redactUrl(url)} topic ${topic} pool ${pool} priorities ${(priorities ?? PRIORITIES).join(',')}\n`),
          })
          .pipe(filterNotifications(rule))
          .subscribe({
            next: (notification) => {
              if (printed >= count) return;
              io.stdout.write(`${notificationLine(notification)}\n`);
              const ack = notification.ack();
              acks.add(ack);
              void ack.finally(() => acks.delete(ack));
              if (++printed >= count) stop();
            },
            error: (error: unknown) => {
              removeSignals();
              reject(error);
            },
          });
        // A synchronous delivery may have reached --count during subscribe.
        if (stopped) subscription.unsubscribe();
      });
      return 0;
    } finally {
      await transport.close();
    }
  });
}
