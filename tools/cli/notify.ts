/**
 * `rxm notify EVENT_TYPE [JSON_PAYLOAD]`: publishes one notification, as oslo's notifier does
 * (`raiseOnError`, so a failed publish is exit code 1 rather than a logged line).
 */
import { hostname } from 'node:os';
import { connect, notifier, PRIORITIES, type Priority } from '../../lib/index.js';
import { type CommandIo, type ExitCode, parseCommand, parseContext, parseJson, runCommand, STANDARD_IO, URL_HELP, URL_OPTION } from './args.js';
import { UsageError } from '../simulator/options.js';

export const NOTIFY_USAGE = `Usage: rxm notify EVENT_TYPE [JSON_PAYLOAD] [options]

Publishes a notification of EVENT_TYPE with JSON_PAYLOAD (any JSON value, default {}) on
<topic>.<priority>. Exit code 0 once published, 1 when the publish failed, 2 for a bad command line.

${URL_HELP}
  --topic NAME          the notification topic (default notifications)
  --priority P          ${PRIORITIES.join(', ')} (default info)
  --publisher-id ID     who publishes (default rxm.<hostname>)
  --context JSON        the request context, a JSON object (default {})
  -h, --help            this text

Example:
  rxm notify compute.instance.create.end '{"instance_id": "abc"}' --url rabbit://guest:guest@localhost:5672/ --priority info
`;

export function parsePriority(text: string, flag = '--priority'): Priority {
  if (!(PRIORITIES as readonly string[]).includes(text)) throw new UsageError(`${flag} must be one of ${PRIORITIES.join(', ')}, got '${text}'`);
  return text as Priority;
}

export function notify(argv: readonly string[], io: CommandIo = STANDARD_IO): Promise<ExitCode> {
  return runCommand('rxm notify', argv, NOTIFY_USAGE, io, async (useUrl) => {
    const { values, positionals } = parseCommand(
      argv,
      { ...URL_OPTION, topic: { type: 'string' }, priority: { type: 'string' }, 'publisher-id': { type: 'string' }, context: { type: 'string' } },
      ['EVENT_TYPE', '[JSON_PAYLOAD]'],
    );
    const [eventType, payloadText] = positionals as [string, string | undefined];
    const payload = payloadText === undefined ? {} : parseJson(payloadText, 'JSON_PAYLOAD');
    const priority = parsePriority(values.priority ?? 'info');
    const context = parseContext(values.context);
    const url = useUrl(values.url);
    const transport = await connect(url);
    try {
      const publisher = notifier(transport, { publisherId: values['publisher-id'] ?? `rxm.${hostname()}`, topics: [values.topic ?? 'notifications'], raiseOnError: true });
      await publisher.notify(priority, eventType, payload, context);
      return 0;
    } finally {
      await transport.close();
    }
  });
}
