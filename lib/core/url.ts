/**
 * Transport URLs: `driver://[user:pass@]host[:port][,[user:pass@]host[:port]]/virtual_host?option=value`.
 * The scheme selects the driver; query keys override the driver's options of the same name.
 */
import { InvalidTransportUrl } from './errors.js';
import { isSecretOption, redactUrl } from './redact.js';

/** The driver a URL's scheme selects: `memory`; `amqp` for rabbit, amqp, amqps and kombu; `zmq` for zmq and tcp. */
export type DriverName = 'memory' | 'amqp' | 'zmq';

/** One host of a transport URL, with the credentials given for it (percent-decoded). */
export interface TransportHost {
  readonly hostname: string;
  readonly port?: number;
  readonly username?: string;
  readonly password?: string;
}

/** A transport URL taken apart. */
export interface TransportUrl {
  /** The scheme as written, lower case ('rabbit', 'amqps', ...). */
  readonly scheme: string;
  readonly driver: DriverName;
  /** In the order given; empty when the URL names none (`memory://`). */
  readonly hosts: readonly TransportHost[];
  /** For memory:// the broker name; for AMQP the virtual host; undefined when the path is empty. */
  readonly virtualHost?: string;
  /** Query options as given; a repeated key is comma-joined, as oslo does. */
  readonly query: Readonly<Record<string, string>>;
  /** The URL as given. */
  readonly url: string;
}

const SCHEMES: Record<string, DriverName> = {
  memory: 'memory',
  rabbit: 'amqp',
  amqp: 'amqp',
  amqps: 'amqp',
  kombu: 'amqp',
  zmq: 'zmq',
  tcp: 'zmq',
};

/**
 * Parses a transport URL; throws `InvalidTransportUrl` saying what is wrong with it.
 *
 * @example
 * ```ts
 * const url = parseTransportUrl('rabbit://guest:guest@h1:5672,h2/nova?heartbeat_timeout_threshold=30');
 * url.driver; // 'amqp'
 * url.hosts.map((h) => h.hostname); // ['h1', 'h2']
 * url.virtualHost; // 'nova'
 * ```
 */
export function parseTransportUrl(url: string): TransportUrl {
  if (typeof url !== 'string') throw new InvalidTransportUrl(String(url), 'the URL must be a string');
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/i.exec(url.trim());
  if (!match) throw new InvalidTransportUrl(url, "expected 'scheme://[user:pass@]host[:port][,host...]/[vhost][?options]'");
  const [, rawScheme = '', netloc = '', path, search = ''] = match;
  const scheme = rawScheme.toLowerCase();
  const driver = SCHEMES[scheme.split('+')[0] ?? ''];
  if (!driver) {
    throw new InvalidTransportUrl(url, `unknown scheme '${scheme}': use one of ${Object.keys(SCHEMES).join(', ')}`);
  }
  const hosts = netloc ? netloc.split(',').map((part) => parseHost(url, part)) : [];
  // A Map, not an object: keys such as 'toString' or '__proto__' must be options like any other.
  const query = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(search)) {
    if (!key) throw new InvalidTransportUrl(url, 'the query has an option without a name');
    const previous = query.get(key);
    query.set(key, previous === undefined ? value : `${previous},${value}`);
  }
  const virtualHost = path ? decodeURIComponent(path) : undefined;
  return Object.freeze({ scheme, driver, hosts: Object.freeze(hosts), virtualHost, query: Object.freeze(Object.fromEntries(query)), url });
}

function parseHost(url: string, part: string): TransportHost {
  const at = part.lastIndexOf('@');
  const credentials = at >= 0 ? part.slice(0, at) : undefined;
  const address = at >= 0 ? part.slice(at + 1) : part;
  let username: string | undefined;
  let password: string | undefined;
  if (credentials !== undefined) {
    const colon = credentials.indexOf(':');
    username = decodeURIComponent(colon >= 0 ? credentials.slice(0, colon) : credentials);
    password = colon >= 0 ? decodeURIComponent(credentials.slice(colon + 1)) : undefined;
  }
  const ipv6 = /^\[([0-9a-f:.]+)\](?::(\d*))?$/i.exec(address);
  const plain = /^([^:[\]]*)(?::(\d*))?$/.exec(address);
  const [, hostname = '', portText] = ipv6 ?? plain ?? [];
  if (!ipv6 && !plain) throw new InvalidTransportUrl(url, `cannot read host '${address}' (write IPv6 addresses in brackets)`);
  let port: number | undefined;
  if (portText) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidTransportUrl(url, `port '${portText}' of host '${hostname}' is not between 1 and 65535`);
    }
  }
  return Object.freeze({
    hostname,
    ...(port !== undefined && { port }),
    ...(username !== undefined && { username }),
    ...(password !== undefined && { password }),
  });
}

/**
 * The URL as it may be shown and kept where anyone can look (a transport's `url`): no host has a
 * password, a query option named as a secret shows `***`, and `url` is redacted. Drivers get the parsed URL itself, passwords included. @internal
 *
 * @example
 * ```ts
 * withoutPasswords(parseTransportUrl('rabbit://bob:pw@h/')).url; // 'rabbit://bob:***@h/'
 * ```
 */
export function withoutPasswords(url: TransportUrl): TransportUrl {
  const hosts = url.hosts.map(({ password: _password, ...host }) => Object.freeze(host));
  const query = Object.fromEntries(Object.entries(url.query).map(([key, value]) => [key, isSecretOption(key) ? '***' : value]));
  return Object.freeze({ ...url, hosts: Object.freeze(hosts), query: Object.freeze(query), url: redactUrl(url.url) });
}
