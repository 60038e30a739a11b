/**
 * What `rxm call` and `rxm cast` share: METHOD, JSON_ARGS and the flags naming the target, the
 * request context and the transport.
 */
import { type Context, InvalidTarget, target as makeTarget, type Target } from '../../lib/index.js';
import { parseCommand, parseContext, parseJsonObject, URL_HELP, URL_OPTION, type UseUrl } from './args.js';
import { UsageError } from '../simulator/options.js';

export const RPC_OPTIONS = {
  ...URL_OPTION,
  topic: { type: 'string' },
  server: { type: 'string' },
  namespace: { type: 'string' },
  version: { type: 'string' },
  context: { type: 'string' },
} as const;

export const RPC_HELP = `${URL_HELP}
  --topic NAME          the target's topic (required)
  --server NAME         a server of the topic (default: whichever server takes it from the topic's queue)
  --namespace NAME      the target's namespace
  --version X.Y         the target's version
  --context JSON        the request context, a JSON object (default {})`;

/** Flag values by name: a string, true for a boolean flag, undefined when absent. */
export type FlagValues = Readonly<Record<string, string | boolean | undefined>>;

export interface RpcRequestLine {
  readonly url: string;
  readonly target: Target;
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly context: Context;
  readonly values: FlagValues;
}

/** METHOD [JSON_ARGS] and the target flags, with `extra` flags of the command's own. */
export function parseRpcRequest(argv: readonly string[], extra: Readonly<Record<string, { readonly type: 'string' | 'boolean' }>>, useUrl: UseUrl): RpcRequestLine {
  const parsed = parseCommand(argv, { ...RPC_OPTIONS, ...extra }, ['METHOD', '[JSON_ARGS]']);
  const values = parsed.values as FlagValues;
  const positionals = parsed.positionals;
  const [method, argsText] = positionals as [string, string | undefined];
  const topic = values.topic as string | undefined;
  if (!topic) throw new UsageError('--topic is required');
  let target: Target;
  try {
    target = makeTarget({
      topic,
      ...(values.server !== undefined && { server: values.server as string }),
      ...(values.namespace !== undefined && { namespace: values.namespace as string }),
      ...(values.version !== undefined && { version: values.version as string }),
      ...(values.fanout === true && { fanout: true }),
    });
  } catch (error) {
    if (error instanceof InvalidTarget) throw new UsageError(error.message);
    throw error;
  }
  return {
    url: useUrl(values.url as string | undefined),
    target,
    method,
    args: parseJsonObject(argsText, 'JSON_ARGS'),
    context: parseContext(values.context as string | undefined),
    values,
  };
}
