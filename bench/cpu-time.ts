/**
 * CPU time per message, beside msg/s: where a run's time goes. The clock starts when the
 * client's measured time begins (after its warm-up) and is read once the run is over. The
 * engine's share is what the run's processes (children of the bench) spent after the start; the
 * broker's is the CPU of the local process listening on the broker's port. On a 2-core machine
 * both compete for the same cores, so a ratio of msg/s alone cannot tell framework cost from
 * broker cost. Read from Linux's /proc; elsewhere the clock reads nothing.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

/** CPU microseconds spent since the clock started. */
export interface CpuSpent {
  /** The run's processes, once waited for: server and client of the engine. */
  readonly engineUs: number;
  /** The broker's process; undefined when it was not found. */
  readonly brokerUs?: number;
}

/** Linux's USER_HZ, the unit of /proc's CPU times, 100 on every architecture Node runs on. */
const TICK_US = 10_000;

/** utime + stime, and cutime + cstime (children waited for), of a /proc/PID/stat, in µs. */
interface ProcTimes {
  readonly own: number;
  readonly children: number;
}

async function procTimes(pid: number | 'self'): Promise<ProcTimes | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const field = (n: number) => Number(fields[n - 3]);
    return { own: (field(14) + field(15)) * TICK_US, children: (field(16) + field(17)) * TICK_US };
  } catch {
    return undefined;
  }
}

/** A run's CPU clock: started when the client's measured time begins, read when the run is over. */
export interface CpuClock {
  /** Starts counting; `children` are the run's processes still running, whose CPU so far is left out. */
  start(children: readonly number[]): void;
  /** What was spent since `start`, once every child exited; undefined when the clock never started. */
  read(): Promise<CpuSpent | undefined>;
}

/** A clock of this process's children and of the broker's process (when `brokerPid` is known). */
export function createCpuClock(brokerPid: number | undefined): CpuClock {
  let started: Promise<{ self?: ProcTimes; broker?: ProcTimes; childrenSoFar: number }> | undefined;
  const brokerTimes = () => (brokerPid === undefined ? undefined : procTimes(brokerPid));
  return {
    start(children) {
      started ??= (async () => {
        const [self, broker, ...running] = await Promise.all([procTimes('self'), brokerTimes(), ...children.map(procTimes)]);
        return { ...(self && { self }), ...(broker && { broker }), childrenSoFar: running.reduce((sum, times) => sum + (times?.own ?? 0), 0) };
      })();
    },
    async read() {
      if (!started) return undefined;
      const at = await started;
      const [self, broker] = await Promise.all([procTimes('self'), brokerTimes()]);
      if (!at.self || !self) return undefined;
      // cutime counts a waited-for child's whole life: take away what it had spent before the start.
      return {
        engineUs: Math.max(0, self.children - at.self.children - at.childrenSoFar),
        ...(at.broker && broker && { brokerUs: broker.own - at.broker.own }),
      };
    },
  };
}

/** The process listening on TCP `port` on this machine, when /proc shows it to us. */
export async function listeningProcess(port: number): Promise<number | undefined> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(table, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const cells = line.trim().split(/\s+/);
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; the inode is the tenth cell.
      if (cells[3] === '0A' && Number.parseInt(cells[1]?.split(':')[1] ?? '', 16) === port && cells[9]) inodes.add(`socket:[${cells[9]}]`);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of (await readdir('/proc').catch(() => [])).filter((name) => /^\d+$/.test(name))) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => []);
    for (const fd of fds) {
      if (inodes.has(await readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''))) return Number(pid);
    }
  }
  return undefined;
}
