/**
 * oslo's `routing` driver: sends each notification to the drivers whose rules accept it. The
 * configuration (an object, or the path of a YAML file) is oslo's `routing_config`:
 *
 * ```yaml
 * audit_group:                    # groups only organise the file
 *   log:                          # a driver name
 *     accepted_events: ['compute.instance.*']   # fnmatch globs on the event type
 *     accepted_priorities: [info, warn]          # fnmatch globs on the (lower case) priority
 * ```
 *
 * A driver is used when every list it gives accepts the message (a driver with no rules takes
 * everything), and at most once per message however many groups accept it. Names resolve to
 * `messaging`, `messagingv2`, `log` and `noop`, plus the `drivers` given by value (a `test`
 * driver, say), which also override those.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { InvalidRoutingConfig, MessagingError } from '../../core/errors.js';
import { getLogger } from '../../core/logger.js';
import { isRecord } from '../../core/record.js';
import type { NotifierDriver } from './driver.js';
import { globToRegExp } from './fnmatch.js';
import { logDriver } from './log.js';
import { messagingV1Driver, messagingV2Driver } from './messaging.js';
import { noopDriver } from './noop.js';
import { rejectionsOf } from './rejections.js';

/** oslo's rule keys, spelled as in its YAML files. */
export interface RoutingRule {
  /** fnmatch globs on the event type; the driver gets an event only if one matches. */
  readonly accepted_events?: readonly string[];
  /** fnmatch globs on the lower-case priority; the driver gets a priority only if one matches. */
  readonly accepted_priorities?: readonly string[];
}

/** Group name → driver name → rule. */
export type RoutingConfig = Readonly<Record<string, Readonly<Record<string, RoutingRule>>>>;

/** Options of `routingDriver`. */
export interface RoutingDriverOptions {
  /** Drivers the configuration may name besides the built-in ones, or instead of them. */
  readonly drivers?: Readonly<Record<string, NotifierDriver>>;
}

interface Route {
  readonly driver: NotifierDriver;
  readonly events?: readonly RegExp[];
  readonly priorities?: readonly RegExp[];
}

const log = getLogger('rx-messaging.notifier.routing');

/**
 * Reads the configuration (a YAML path is read now, so a bad file fails at startup) and builds the
 * driver; a malformed one throws `InvalidRoutingConfig`.
 *
 * @example
 * ```ts
 * const routed = routingDriver({ audit: { log: { accepted_events: ['identity.*'] }, messagingv2: { accepted_priorities: ['error', 'critical'] } } });
 * notifier(transport, { publisherId: 'keystone', driver: routed });
 * ```
 */
export function routingDriver(config: RoutingConfig | string, options: RoutingDriverOptions = {}): NotifierDriver {
  const source = typeof config === 'string' ? config : 'config object';
  const known: Record<string, () => NotifierDriver> = {
    messaging: messagingV1Driver,
    messagingv2: messagingV2Driver,
    log: logDriver,
    noop: noopDriver,
  };
  for (const [name, driver] of Object.entries(options.drivers ?? {})) known[name] = () => driver;
  const routes = parseRoutes(typeof config === 'string' ? readYaml(config) : config, source, known);
  return {
    name: 'routing',
    enabled: true,
    async notify(notification, retry, route) {
      const chosen = new Set(routes.filter((r) => accepts(r, notification.eventType, notification.priority)).map((r) => r.driver));
      const drivers = [...chosen];
      const rejections = await rejectionsOf(
        drivers.map((driver) => {
          log.debug(`routing ${notification.eventType} to the ${driver.name} driver`);
          return driver.notify(notification, retry, route);
        }),
      );
      if (rejections.length === 0) return;
      const errors = rejections.map((rejection) => rejection.reason);
      const failed = rejections.map((rejection) => drivers[rejection.index]!.name);
      throw new MessagingError(`routing ${notification.eventType}: the ${failed.join(', ')} driver(s) failed`, {
        cause: errors.length === 1 ? errors[0] : new AggregateError(errors, 'several drivers failed'),
      });
    },
  };
}

function accepts(route: Route, eventType: string, priority: string): boolean {
  return (!route.events || route.events.some((re) => re.test(eventType))) && (!route.priorities || route.priorities.some((re) => re.test(priority)));
}

function readYaml(path: string): unknown {
  try {
    // oslo treats an empty file as no routes.
    return parseYaml(readFileSync(path, 'utf8')) ?? {};
  } catch (error) {
    throw new InvalidRoutingConfig(path, `cannot read it as YAML: ${(error as Error).message}`, { cause: error });
  }
}

function parseRoutes(config: unknown, source: string, known: Record<string, () => NotifierDriver>): Route[] {
  if (!isRecord(config)) throw new InvalidRoutingConfig(source, 'the top level must map group names to drivers');
  // One instance per driver name, so a driver named in several groups is called once.
  const instances = new Map<string, NotifierDriver>();
  const routes: Route[] = [];
  for (const [group, drivers] of Object.entries(config)) {
    if (!isRecord(drivers)) throw new InvalidRoutingConfig(source, `group '${group}' must map driver names to rules`);
    for (const [name, rule] of Object.entries(drivers)) {
      const make = known[name];
      if (!make) throw new InvalidRoutingConfig(source, `group '${group}' names driver '${name}'; known drivers are ${Object.keys(known).join(', ')}`);
      if (rule !== null && !isRecord(rule)) throw new InvalidRoutingConfig(source, `the rule of '${group}.${name}' must be a mapping`);
      const driver = instances.get(name) ?? make();
      instances.set(name, driver);
      const events = globs(rule?.['accepted_events'], `${group}.${name}.accepted_events`, source, (g) => g);
      // oslo lower-cases the priority patterns, and priorities are lower case.
      const priorities = globs(rule?.['accepted_priorities'], `${group}.${name}.accepted_priorities`, source, (g) => g.toLowerCase());
      routes.push({ driver, ...(events && { events }), ...(priorities && { priorities }) });
    }
  }
  return routes;
}

function globs(value: unknown, where: string, source: string, normalize: (glob: string) => string): RegExp[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((g) => typeof g === 'string')) throw new InvalidRoutingConfig(source, `${where} must be a list of glob strings`);
  return value.map((g: string) => globToRegExp(normalize(g)));
}
