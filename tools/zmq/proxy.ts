/**
 * `rxm zmq-proxy`: the XSUB/XPUB forwarder of the ZeroMQ driver's PUB/SUB fanout path
 * (zeromq's `Proxy`). Publishers connect to the frontend (an XSUB), subscribers to the backend
 * (an XPUB); subscriptions flow back upstream. On SIGINT/SIGTERM it stops taking messages and
 * closes with `--linger` ms for what is queued to reach its subscribers.
 */
import { Proxy as ZmqProxy, XPublisher, XSubscriber } from 'zeromq';
import { type CommandIo, type ExitCode, parseCommand, parseInteger, runCommand, STANDARD_IO } from '../cli/args.js';

const PROXY_USAGE = `Usage: rxm zmq-proxy [--frontend ENDPOINT] [--backend ENDPOINT] [--linger MS]

Forwards the ZeroMQ driver's fanout (PUB/SUB) traffic: publishers connect to the frontend,
subscribers to the backend. Prints a 'ready:' line with the bound endpoints; stops on SIGINT/SIGTERM.

  --frontend ENDPOINT  where publishers connect, an XSUB (default tcp://*:5570)
  --backend ENDPOINT   where subscribers connect, an XPUB (default tcp://*:5571)
  --linger MS          how long queued messages may take to leave on stop (default 1000)
  -h, --help           this text
`;

interface ProxyHooks {
  /** Stops the proxy; SIGINT and SIGTERM do when not given. */
  readonly signal?: AbortSignal;
}

/** `rxm zmq-proxy`: forwards PUB/SUB traffic until SIGINT/SIGTERM (or `hooks.signal`); resolves with the exit code. @internal */
export function zmqProxy(argv: readonly string[], io: CommandIo = STANDARD_IO, hooks: ProxyHooks = {}): Promise<ExitCode> {
  return runCommand('rxm zmq-proxy', argv, PROXY_USAGE, io, async () => {
    const { values: flags } = parseCommand(argv, { frontend: { type: 'string' }, backend: { type: 'string' }, linger: { type: 'string' } });
    const linger = parseInteger(flags.linger, '--linger', 1000, 0);
    const proxy = new ZmqProxy(new XSubscriber({ linger }), new XPublisher({ linger }));
    const bound: string[] = [];
    for (const [socket, endpoint] of [
      [proxy.frontEnd, flags.frontend ?? 'tcp://*:5570'],
      [proxy.backEnd, flags.backend ?? 'tcp://*:5571'],
    ] as const) {
      try {
        await socket.bind(endpoint);
      } catch (error) {
        proxy.frontEnd.close();
        proxy.backEnd.close();
        io.stderr.write(`rxm zmq-proxy: cannot bind ${endpoint}: ${(error as Error).message}\n`);
        return 1;
      }
      bound.push(socket.lastEndpoint ?? endpoint);
    }
    const stop = new AbortController();
    const interrupt = () => stop.abort();
    const signal = hooks.signal ?? stop.signal;
    if (!hooks.signal) {
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
    }
    const running = proxy.run();
    io.stdout.write(`ready: zmq-proxy frontend ${bound[0]} backend ${bound[1]}\n`);
    // terminate() closes both sockets, each with its linger.
    const terminate = () => proxy.terminate();
    if (signal.aborted) terminate();
    else signal.addEventListener('abort', terminate, { once: true });
    try {
      await running;
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
    io.stdout.write('zmq-proxy stopped\n');
    return 0;
  });
}
