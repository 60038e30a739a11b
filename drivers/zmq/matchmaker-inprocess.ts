/**
 * The in-process matchmaker of `zmq://[name]` (oslo's `dummy`): every peer in one process, for
 * tests and demos. Transports of one process giving the same name share it, as memory:// brokers
 * are shared; it goes away with the last of them. Registrations expire as in Redis, counted
 * down once a second.
 */
import { BehaviorSubject, distinctUntilChanged, filter, map, merge, of, Subject, type Observable } from 'rxjs';
import { keepRegistered, sameMembers, type Lookup, type Matchmaker } from './matchmaker.js';

interface Registry {
  readonly name: string;
  refs: number;
  /** name → member → when it expires (ms since the epoch). */
  readonly entries: Map<string, Map<string, number>>;
  readonly changed$: Subject<string>;
  sweeper: NodeJS.Timeout | undefined;
}

const registries = new Map<string, Registry>();

const SWEEP_MS = 1000;

/** The matchmaker of `zmq://name`, shared by this process's transports of that name; entries expire after `expireMs` unless rewritten every `updateMs`. @internal */
export function createInProcessMatchmaker(name: string, expireMs: number, updateMs: number): Matchmaker {
  let registry = registries.get(name);
  if (!registry) registries.set(name, (registry = { name, refs: 0, entries: new Map(), changed$: new Subject(), sweeper: undefined }));
  registry.refs++;
  const shared = registry;
  const registrations = keepRegistered(async (names, member) => write(shared, names, member, expireMs), updateMs);
  let closed = false;
  return {
    address: `in-process '${name}'`,
    status$: new BehaviorSubject({ state: 'connected' as const, host: name }).asObservable(),
    async register(names, member) {
      registrations.add(names, member);
      write(shared, names, member, expireMs);
    },
    async unregister(names, member) {
      registrations.remove(names, member);
      for (const key of names) {
        if (shared.entries.get(key)?.delete(member)) shared.changed$.next(key);
      }
    },
    watch(key: string): Observable<Lookup> {
      return merge(of(key), shared.changed$.pipe(filter((changed) => changed === key))).pipe(
        map(() => live(shared, key)),
        distinctUntilChanged(sameMembers),
        map((members) => ({ members })),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      registrations.close();
      if (--shared.refs > 0) return;
      if (registries.get(name) === shared) registries.delete(name);
      clearInterval(shared.sweeper);
      shared.changed$.complete();
    },
  };
}

function write(registry: Registry, names: readonly string[], member: string, expireMs: number): void {
  const expiresAt = Date.now() + expireMs;
  for (const key of names) {
    let members = registry.entries.get(key);
    if (!members) registry.entries.set(key, (members = new Map()));
    const known = members.has(member);
    members.set(member, expiresAt);
    if (!known) registry.changed$.next(key);
  }
  if (!registry.sweeper) {
    registry.sweeper = setInterval(() => sweep(registry), SWEEP_MS);
    registry.sweeper.unref();
  }
}

function sweep(registry: Registry): void {
  const now = Date.now();
  for (const [key, members] of registry.entries) {
    let expired = false;
    for (const [member, expiresAt] of members) {
      if (expiresAt > now) continue;
      members.delete(member);
      expired = true;
    }
    if (!members.size) registry.entries.delete(key);
    if (expired) registry.changed$.next(key);
  }
}

function live(registry: Registry, key: string): ReadonlySet<string> {
  return new Set(registry.entries.get(key)?.keys());
}
