/**
 * `rxm serve MODULE`: an RPC server of the endpoints a JavaScript module exports, until
 * SIGINT/SIGTERM. The first signal drains (requests already taken are served and answered), a
 * second one exits at once.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { blockingExecutor, connect, type Executor, microtaskExecutor, redactUrl, rpcServer, target, workerPoolExecutor } from '../../lib/index.js';
import { type CommandIo, type ExitCode, onSignals, parseCommand, parseInteger, runCommand, STANDARD_IO, URL_HELP, URL_OPTION } from './args.js';
import { UsageError } from '../simulator/options.js';

export const SERVE_USAGE = `Usage: rxm serve MODULE --topic NAME --server NAME [options]

Serves RPC calls and casts on --topic (and --server) with the endpoints MODULE exports: an
'endpoints' array, else a default export (an endpoint object or an array of them), else every
named export that is an object. Prints a 'ready:' line once it consumes. The first SIGINT or
SIGTERM stops taking requests and exits 0 once those taken are answered; a second exits at once.

${URL_HELP}
  --topic NAME          the topic to serve (required)
  --server NAME         this server's name (required)
  --executor KIND       microtask (default: 64 handlers interleaved), blocking (one at a time)
                        or worker:N (N worker threads; MODULE must export 'endpoints')
  -h, --help            this text

Example:
  rxm serve ./calculator.js --url rabbit://guest:guest@localhost:5672/ --topic calculator --server host-1
`;

/** What a module offers as endpoints, in the order above; empty when it offers none. */
export function endpointsOf(module: Readonly<Record<string, unknown>>): readonly object[] {
  const isEndpoint = (value: unknown): value is object => typeof value === 'object' && value !== null;
  if (Array.isArray(module['endpoints'])) return module['endpoints'];
  const fallback = module['default'];
  if (Array.isArray(fallback)) return fallback;
  if (isEndpoint(fallback)) return [fallback];
  return Object.entries(module).flatMap(([name, value]) => (name !== 'default' && isEndpoint(value) ? [value] : []));
}

function parseExecutor(kind: string, module: URL, exported: Readonly<Record<string, unknown>>): Executor {
  if (kind === 'microtask') return microtaskExecutor();
  if (kind === 'blocking') return blockingExecutor();
  const workers = /^worker:(.*)$/.exec(kind);
  if (!workers) throw new UsageError(`--executor must be microtask, blocking or worker:N, got '${kind}'`);
  const size = parseInteger(workers[1], '--executor worker:N', 1);
  // Each worker imports the module and reads 'endpoints': the dispatcher's indexes must mean the same objects there.
  if (!Array.isArray(exported['endpoints'])) throw new UsageError(`--executor ${kind} needs MODULE to export 'endpoints', the array each worker thread imports`);
  return workerPoolExecutor({ module, size });
}

export function serve(argv: readonly string[], io: CommandIo = STANDARD_IO): Promise<ExitCode> {
  return runCommand('rxm serve', argv, SERVE_USAGE, io, async (useUrl) => {
    const { values, positionals } = parseCommand(argv, { ...URL_OPTION, topic: { type: 'string' }, server: { type: 'string' }, executor: { type: 'string' } }, ['MODULE']);
    const [modulePath] = positionals as [string];
    if (!values.topic) throw new UsageError('--topic is required');
    if (!values.server) throw new UsageError('--server is required');
    const url = useUrl(values.url);
    const moduleUrl = pathToFileURL(resolve(modulePath));
    const exported = (await import(moduleUrl.href)) as Record<string, unknown>;
    const endpoints = endpointsOf(exported);
    if (!endpoints.length) throw new UsageError(`${modulePath} exports no endpoint (an 'endpoints' array, a default export or named objects)`);
    const executor = parseExecutor(values.executor ?? 'microtask', moduleUrl, exported);
    const transport = await connect(url);
    try {
      const server = rpcServer(transport, target({ topic: values.topic, server: values.server }), endpoints, { executor });
      let stopping!: () => void;
      const signalled = new Promise<void>((resolve) => (stopping = resolve));
      const removeSignals = onSignals(
        () => stopping(),
        (signal) => process.exit(signal === 'SIGINT' ? 130 : 143),
      );
      try {
        await server.start();
        io.stdout.write(
          `ready: serve ${modulePath} (${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}) on ${redactUrl(url)} topic ${values.topic} server ${values.server}\n`,
        );
        await signalled;
        io.stdout.write('draining: answering the requests taken (signal again to exit at once)\n');
        await server.stop();
      } finally {
        removeSignals();
      }
      io.stdout.write('stopped\n');
      return 0;
    } finally {
      await executor.close();
      await transport.close();
    }
  });
}
