/**
 * The matchmaker: who listens where. Servers and listeners register a member (`host:port`, the
 * ROUTER they bound, optionally followed by a space and a pool) under the names topology.ts
 * gives them; clients watch a name as a stream of its live members and connect as servers come
 * and go. Backends: in-process (matchmaker-inprocess.ts), Redis and Sentinel
 * (matchmaker-redis.ts), a fixed map (matchmaker-static.ts).
 *
 * Registrations expire unless refreshed (`zmq_target_expire`); the backend refreshes what is
 * registered every `zmq_target_update`, and a clean stop unregisters at once.
 */
import type { Observable } from 'rxjs';
import type { TransportStatus } from '../../lib/driver/driver.js';
import { getLogger } from '../../lib/core/logger.js';
import type { MatchmakerUnavailable } from '../../lib/core/errors.js';

/** What a watch knows of a name: its live members, and why the last look failed if it did (the members are then the last known). @internal */
export interface Lookup {
  readonly members: ReadonlySet<string>;
  readonly error?: MatchmakerUnavailable;
}

/** Where servers register their ROUTERs under names, and clients watch those names (README.md: the matchmaker). @internal */
export interface Matchmaker {
  /** Where the registry is, for logs and errors, without credentials. */
  readonly address: string;
  readonly status$: Observable<TransportStatus>;
  /** Adds `member` under every name and keeps it there until `unregister`; resolves once watchers can see it. */
  register(names: readonly string[], member: string): Promise<void>;
  /** Removes `member` from every name at once (a clean stop). */
  unregister(names: readonly string[], member: string): Promise<void>;
  /** The live members of `name`: the current set on subscribe, then each change. Never errors: a failed look keeps the last set and says why. */
  watch(name: string): Observable<Lookup>;
  /** A fixed fleet's address for a listener registered under `names` (`host:port`), which it must bind; undefined where any port will do. */
  fixedMember?(names: readonly string[]): string | undefined;
  close(): Promise<void>;
}

/** The endpoint part of a member: the ROUTER's `host:port`. @internal */
export function memberEndpoint(member: string): string {
  const space = member.indexOf(' ');
  return space < 0 ? member : member.slice(0, space);
}

/** The pool part of a member, '' for the default pool. @internal */
export function memberPool(member: string): string {
  const space = member.indexOf(' ');
  return space < 0 ? '' : member.slice(space + 1);
}

/** A listener's member: its endpoint, then ` <pool>` for a named pool. @internal */
export function poolMember(endpoint: string, pool: string | undefined): string {
  return pool === undefined ? endpoint : `${endpoint} ${pool}`;
}

/** Whether two sets hold the same members: a watch emits only changes. @internal */
export function sameMembers(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const member of a) if (!b.has(member)) return false;
  return true;
}

/** What a backend must keep registered, rewritten every `updateMs` (and on `refresh()`, e.g. after a reconnect). @internal */
export interface Registrations {
  add(names: readonly string[], member: string): void;
  remove(names: readonly string[], member: string): void;
  refresh(): void;
  close(): void;
}

const log = getLogger('rx-messaging.zmq');

/** What a backend keeps registered, rewritten through `write` every `updateMs`. @internal */
export function keepRegistered(write: (names: readonly string[], member: string) => Promise<void>, updateMs: number): Registrations {
  const held = new Map<string, Set<string>>();
  const refresh = () => {
    for (const [member, names] of held) {
      write([...names], member).catch((error: unknown) => log.warn(`could not refresh the registration of ${member}: ${(error as Error).message}`, { member }));
    }
  };
  const timer = setInterval(refresh, updateMs);
  // A refresh must not keep the process alive.
  timer.unref();
  return {
    add(names, member) {
      let set = held.get(member);
      if (!set) held.set(member, (set = new Set()));
      for (const name of names) set.add(name);
    },
    remove(names, member) {
      const set = held.get(member);
      if (!set) return;
      for (const name of names) set.delete(name);
      if (!set.size) held.delete(member);
    },
    refresh,
    close() {
      clearInterval(timer);
      held.clear();
    },
  };
}
