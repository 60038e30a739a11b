/**
 * A fixed fleet without a registry (`zmq://?rpc_zmq_matchmaker=static&zmq_static_targets=...`):
 * a map of topics to their servers' endpoints, given as JSON text or in a JSON or YAML file:
 *
 * ```yaml
 * compute:                 # topic
 *   host-1: 10.0.0.1:5555  # server: the host:port it binds and is reached at
 *   host-2: 10.0.0.2:5555
 * ```
 *
 * Servers bind the port the map gives them; registering changes nothing. Notification listeners
 * have no fixed address here, so notifications need a registering matchmaker.
 */
import { readFileSync } from 'node:fs';
import { BehaviorSubject, of } from 'rxjs';
import { parse as parseYaml } from 'yaml';
import { InvalidTransportUrl } from '../../lib/core/errors.js';
import { target } from '../../lib/core/target.js';
import type { Matchmaker } from './matchmaker.js';
import { serverName, topicName } from './topology.js';

type StaticMap = Readonly<Record<string, Readonly<Record<string, string>>>>;

/** The matchmaker of a fixed fleet: `source` (a JSON or YAML file, or JSON text) maps topics to servers to `host:port`. @internal */
export function createStaticMatchmaker(source: string, url: string, controlExchange: string): Matchmaker {
  const map = readMap(source, url);
  const members = new Map<string, Set<string>>();
  /** A server's own name → the member it binds. */
  const fixed = new Map<string, string>();
  for (const [topic, servers] of Object.entries(map)) {
    for (const [server, endpoint] of Object.entries(servers)) {
      if (typeof endpoint !== 'string' || !/^[^\s:]+:\d+$/.test(endpoint))
        throw new InvalidTransportUrl(url, `zmq_static_targets: ${topic}.${server} must be 'host:port', got ${JSON.stringify(endpoint)}`);
      const t = target({ topic, server });
      for (const name of [topicName(t, controlExchange), serverName(t, controlExchange)]) {
        let set = members.get(name);
        if (!set) members.set(name, (set = new Set()));
        set.add(endpoint);
      }
      fixed.set(serverName(t, controlExchange), endpoint);
    }
  }
  return {
    address: 'a static map',
    status$: new BehaviorSubject({ state: 'connected' as const, host: 'static' }).asObservable(),
    register: async () => undefined,
    unregister: async () => undefined,
    watch: (name) => of({ members: members.get(name) ?? new Set<string>() }),
    fixedMember: (names) => names.map((name) => fixed.get(name)).find((member) => member !== undefined),
    close: async () => undefined,
  };
}

function readMap(source: string, url: string): StaticMap {
  let text = source;
  if (!source.trimStart().startsWith('{')) {
    try {
      text = readFileSync(source, 'utf8');
    } catch (error) {
      throw new InvalidTransportUrl(url, `zmq_static_targets: cannot read ${source}: ${(error as Error).message}`, { cause: error });
    }
  }
  let parsed: unknown;
  try {
    // YAML is a superset of JSON: one parser reads both.
    parsed = parseYaml(text);
  } catch (error) {
    throw new InvalidTransportUrl(url, `zmq_static_targets is neither JSON nor YAML: ${(error as Error).message}`, { cause: error });
  }
  const isDict = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (!isDict(parsed) || !Object.values(parsed).every(isDict)) throw new InvalidTransportUrl(url, 'zmq_static_targets must map each topic to a map of servers to host:port');
  return parsed as StaticMap;
}
