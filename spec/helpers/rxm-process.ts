/**
 * Runs the compiled `rxm` (dist/bin/rxm.js) as a child process, as a user would, with its
 * output captured and waited on line by line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled CLI, found from this helper in dist/spec/helpers/. */
export const RXM = fileURLToPath(new URL('../../bin/rxm.js', import.meta.url));

export interface Exit {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RxmProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with what `stream` printed once it printed a line matching `pattern`; rejects if the process exits first. */
  until(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<string>;
  readonly exit: Promise<Exit>;
}

export function startRxm(args: readonly string[], env: Readonly<Record<string, string>> = {}): RxmProcess {
  const child = spawn(process.execPath, [RXM, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const text = { stdout: '', stderr: '' };
  const waiting = new Set<() => void>();
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]!.on('data', (chunk: Buffer) => {
      text[stream] += chunk.toString();
      for (const wake of waiting) wake();
    });
  }
  const exit = new Promise<Exit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, ...text }));
  });
  const until = (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<string>((resolve, reject) => {
      const wake = () => {
        if (!new RegExp(pattern.source, `${pattern.flags.replace('m', '')}m`).test(text[stream])) return;
        waiting.delete(wake);
        resolve(text[stream]);
      };
      waiting.add(wake);
      wake();
      void exit.then(({ code }) => {
        if (!waiting.delete(wake)) return;
        reject(new Error(`rxm ${args[0]} exited (${code}) before printing ${pattern} on ${stream}; stdout: ${text.stdout} stderr: ${text.stderr}`));
      });
    });
  return { child, stdout: () => text.stdout, stderr: () => text.stderr, until, exit };
}

/** Runs `rxm` to its end. */
export const runRxm = (args: readonly string[], env?: Readonly<Record<string, string>>): Promise<Exit> => startRxm(args, env).exit;
