/**
 * What a long-running example does when it is told to stop: the first SIGINT (Ctrl-C) or SIGTERM
 * (what container platforms send) drains and closes; a second one exits at once.
 */
export function onShutdown(drain: () => Promise<void>): void {
  let draining = false;
  const stop = (signal: NodeJS.Signals) => {
    if (draining) process.exit(signal === 'SIGTERM' ? 143 : 130);
    draining = true;
    drain().catch((error: unknown) => {
      console.error('could not drain:', error);
      process.exitCode = 1;
    });
  };
  // `on`, not `once`: the second signal must reach this handler instead of Node's default exit.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
