/**
 * Runs a scenario as two processes: the server, until it prints its `ready:` line, then the
 * client; the server stops by itself when the client's `sync_done` arrives (it has handled
 * everything sent before). Both write their JSON reports, which are read back here. When the
 * client prints `measuring:` (its measured time begins), `onMeasuring` gets both processes' ids.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Report } from '../tools/metering/report.js';

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
}

/** A role process failed: it exited badly, never got ready, or overran its time. */
export class RoleProcessError extends Error {
  constructor(
    readonly role: 'server' | 'client',
    reason: string,
    readonly output: string,
  ) {
    super(`the ${role} ${reason}${output ? `; its last output:\n${output}` : ''}`);
    this.name = 'RoleProcessError';
  }
}

export interface PairTimeouts {
  /** To print `ready:`. */
  readonly readyMs: number;
  /** For the client to finish. */
  readonly clientMs: number;
  /** For the server to stop after the client finished (it may still be draining a backlog). */
  readonly drainMs: number;
}

export async function runProcesses(
  server: Command,
  client: Command,
  reports: { server: string; client: string },
  timeouts: PairTimeouts,
  onMeasuring?: (pids: readonly number[]) => void,
): Promise<{ server: Report; client: Report }> {
  const serverProcess = start(server);
  try {
    await ready(serverProcess, timeouts.readyMs);
    const clientProcess = start(client);
    if (onMeasuring) void printed(clientProcess, /^measuring:/m).then(() => onMeasuring([serverProcess.process.pid!, clientProcess.process.pid!]));
    await exited(clientProcess, 'client', timeouts.clientMs);
    await exited(serverProcess, 'server', timeouts.drainMs);
  } finally {
    if (serverProcess.process.exitCode === null) serverProcess.process.kill('SIGKILL');
  }
  return { server: await readReport(reports.server), client: await readReport(reports.client) };
}

/**
 * Runs one process that serves and calls itself (bench/engine-process.ts), reading back the two
 * reports it writes; `onMeasuring` gets its id when it prints `measuring:`.
 */
export async function runEngineProcess(
  command: Command,
  reports: { server: string; client: string },
  timeoutMs: number,
  onMeasuring?: (pids: readonly number[]) => void,
): Promise<{ server: Report; client: Report }> {
  const running = start(command);
  try {
    if (onMeasuring) void printed(running, /^measuring:/m).then(() => onMeasuring([running.process.pid!]));
    await exited(running, 'client', timeoutMs);
  } finally {
    if (running.process.exitCode === null) running.process.kill('SIGKILL');
  }
  return { server: await readReport(reports.server), client: await readReport(reports.client) };
}

interface Running {
  readonly process: ChildProcess;
  /** The last lines it wrote, for errors. */
  tail(): string;
  readonly exit: Promise<number | null>;
}

function start({ file, args }: Command): Running {
  const child = spawn(file, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (error) => {
      keep(Buffer.from(String(error)));
      resolve(null);
    });
  });
  return { process: child, exit, tail: () => output.split('\n').slice(-12).join('\n') };
}

/** Resolves once the process printed a line matching `line`; never if it does not. */
function printed(running: Running, line: RegExp): Promise<void> {
  return new Promise<void>((resolve) => {
    let seen = '';
    const look = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4000);
      if (!line.test(seen)) return;
      running.process.stdout!.off('data', look);
      resolve();
    };
    running.process.stdout!.on('data', look);
  });
}

function ready(running: Running, ms: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RoleProcessError('server', `was not ready within ${ms} ms`, running.tail())), ms);
    void printed(running, /^ready:/m).then(() => {
      clearTimeout(timer);
      resolve();
    });
    void running.exit.then((code) => {
      clearTimeout(timer);
      reject(new RoleProcessError('server', `exited (code ${code}) before it was ready`, running.tail()));
    });
  });
}

async function exited(running: Running, role: 'server' | 'client', ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const overran = new Promise<'overran'>((resolve) => (timer = setTimeout(() => resolve('overran'), ms)));
  const code = await Promise.race([running.exit, overran]);
  clearTimeout(timer);
  if (code === 'overran') {
    // Interrupted, a role still writes what it measured; the shortfall shows as lost messages.
    running.process.kill('SIGINT');
    await Promise.race([running.exit, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (role === 'client') throw new RoleProcessError(role, `did not finish within ${ms} ms`, running.tail());
    return;
  }
  if (code !== 0) throw new RoleProcessError(role, `exited with code ${code}`, running.tail());
}

async function readReport(file: string): Promise<Report> {
  return JSON.parse(await readFile(file, 'utf8')) as Report;
}
