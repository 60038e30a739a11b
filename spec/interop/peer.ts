/**
 * Drives spec/interop/peer.py, a real oslo.messaging process: commands go in as JSON lines and
 * come back answered; what the peer receives on its own (casts, notifications) arrives as events.
 * Its stderr is kept and shown when a command fails or the process dies.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { osloUrl, packageRoot, PYTHON } from '../helpers/services.js';

/** What peer.py reports of a Python exception. */
export interface PeerErrorInfo {
  readonly class: string;
  readonly module: string;
  readonly message: string;
  /** For oslo's RemoteError: the remote class and message. */
  readonly exc_type: string | null;
  readonly value: string | null;
  readonly kwargs: Record<string, unknown> | null;
}

/** A command the Python peer answered with an exception. */
export class PeerCommandFailed extends Error {
  constructor(
    readonly op: string,
    readonly error: PeerErrorInfo,
  ) {
    super(`peer.py ${op} raised ${error.module}.${error.class}: ${error.message.split('\n')[0]}`);
    this.name = 'PeerCommandFailed';
  }
}

export type PeerEvent = Record<string, unknown> & { readonly event: string };

export interface PythonPeer {
  /** Runs one op (see peer.py); resolves its answer, rejects with `PeerCommandFailed`. */
  request<T = Record<string, unknown>>(op: string, fields?: Record<string, unknown>): Promise<T>;
  /** The next `count` events matching, taken from those not taken yet (arrived or to come). */
  events(count: number, match: (event: PeerEvent) => boolean): Promise<PeerEvent[]>;
  /** Stops every server and listener of the peer, cleans its transports up and waits for it to exit. */
  close(): Promise<void>;
}

export interface PeerOptions {
  /** oslo's allowed_remote_exmods for the peer's RPC transport. */
  readonly allowedExmods?: readonly string[];
  /** Driver options as URL query keys, e.g. `rabbit_quorum_queue=true`. */
  readonly query?: string;
}

export async function startPeer({ allowedExmods = [], query }: PeerOptions = {}): Promise<PythonPeer> {
  const script = join(packageRoot(), 'spec', 'interop', 'peer.py');
  // Its reply queue expires a minute after it is gone (oslo leaves reply queues to expire).
  const args = [script, `${osloUrl()}?rabbit_transient_queues_ttl=60${query ? `&${query}` : ''}`, ...(allowedExmods.length ? ['--allowed-exmods', allowedExmods.join(',')] : [])];
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
    if (process.env['RXM_PEER_LOG']) process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const answers = new Map<number, { resolve: (value: Record<string, unknown>) => void; reject: (error: Error) => void; op: string }>();
  const unclaimed: PeerEvent[] = [];
  const waiters: { count: number; match: (event: PeerEvent) => boolean; taken: PeerEvent[]; resolve: (events: PeerEvent[]) => void }[] = [];
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  const died = (code: number | null) => new Error(`peer.py exited (code ${code}); its stderr ends with:\n${stderr.slice(-3000)}`);

  createInterface({ input: child.stdout }).on('line', (line) => {
    const message = JSON.parse(line) as Record<string, unknown>;
    if (typeof message['event'] === 'string') {
      const event = message as PeerEvent;
      if (event.event === 'ready') return ready();
      const waiter = waiters.find((w) => w.match(event));
      if (!waiter) return void unclaimed.push(event);
      waiter.taken.push(event);
      if (waiter.taken.length === waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(waiter.taken);
      }
      return;
    }
    const pending = answers.get(message['id'] as number);
    if (!pending) throw new Error(`peer.py answered an unknown command: ${line}`);
    answers.delete(message['id'] as number);
    if (message['ok'] === true) pending.resolve(message);
    else pending.reject(new PeerCommandFailed(pending.op, message['error'] as PeerErrorInfo));
  });
  void exited.then((code) => {
    for (const pending of answers.values()) pending.reject(died(code));
    answers.clear();
  });

  await Promise.race([started, exited.then((code) => Promise.reject(died(code)))]);

  let nextId = 0;
  const request = <T>(op: string, fields: Record<string, unknown> = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (child.exitCode !== null) return reject(died(child.exitCode));
      const id = ++nextId;
      answers.set(id, { resolve: resolve as (value: Record<string, unknown>) => void, reject, op });
      child.stdin.write(`${JSON.stringify({ ...fields, id, op })}\n`);
    });

  return {
    request,
    events(count, match) {
      const taken: PeerEvent[] = [];
      for (const event of [...unclaimed]) {
        if (taken.length === count) break;
        if (match(event)) {
          taken.push(event);
          unclaimed.splice(unclaimed.indexOf(event), 1);
        }
      }
      if (taken.length === count) return Promise.resolve(taken);
      return new Promise((resolve) => waiters.push({ count, match, taken, resolve }));
    },
    async close() {
      if (child.exitCode === null) {
        await request('exit');
        await exited;
      }
    },
  };
}
