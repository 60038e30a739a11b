/** Helpers of the ZeroMQ specs: server child processes, a retry loop for what settles asynchronously, and Redis cleanup. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export interface ServerChild {
  readonly child: ChildProcess;
  /** Resolves once the child exited, with its signal or code. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  stop(): Promise<void>;
}

/** Forks an RPC server for `topic`/`server` on `url`; resolves once it is registered. */
export async function startServerChild(url: string, topic: string, server: string): Promise<ServerChild> {
  const child = fork(fileURLToPath(new URL('./server-child.js', import.meta.url)), [url, topic, server], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    void exited.then((how) => reject(new Error(`the server child ${server} exited (${how}) before it was ready`)));
  });
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send('stop');
      await exited;
    },
  };
}

/** Runs `attempt` until it returns true, at most `tries` times: a failure guard, not a timing claim. */
export async function eventually(attempt: () => Promise<boolean>, tries = 50, what = 'the condition'): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await attempt()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not hold after ${tries} tries`);
}

/** Deletes the local Redis's keys under `prefix` (a spec's matchmaker prefix); resolves with how many there were. */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis({ lazyConnect: true });
  await redis.connect();
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    return keys.length;
  } finally {
    redis.disconnect();
  }
}
