import { redactUrl } from '../../../lib/core/redact.js';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InvalidTransportUrl, MessagingError } from '../../../lib/core/errors.js';
import { parseTransportUrl } from '../../../lib/core/url.js';

function invalid(url: string, reason: RegExp): InvalidTransportUrl {
  try {
    parseTransportUrl(url);
  } catch (error) {
    assert.instance(error, InvalidTransportUrl);
    assert.instance(error, MessagingError);
    assert.match((error as Error).message, reason);
    assert.is((error as InvalidTransportUrl).url, redactUrl(String(url)));
    return error as InvalidTransportUrl;
  }
  assert.unreachable(`expected ${url} to be refused`);
  throw new Error('unreachable');
}

const Schemes = suite('parseTransportUrl() schemes');

Schemes('should map each scheme to its driver', () => {
  const drivers = Object.fromEntries(['memory', 'rabbit', 'amqp', 'amqps', 'kombu', 'zmq', 'tcp'].map((scheme) => [scheme, parseTransportUrl(`${scheme}://h`).driver]));
  assert.equal(drivers, { memory: 'memory', rabbit: 'amqp', amqp: 'amqp', amqps: 'amqp', kombu: 'amqp', zmq: 'zmq', tcp: 'zmq' });
});

Schemes('should give zmq+redis:// and zmq+sentinel:// to the zmq driver, the scheme kept for its matchmaker', () => {
  for (const scheme of ['zmq+redis', 'zmq+sentinel']) {
    const url = parseTransportUrl(`${scheme}://h1:6379,h2:6379/`);
    assert.is(url.scheme, scheme);
    assert.is(url.driver, 'zmq');
    assert.is(url.hosts.length, 2);
  }
});

Schemes("should choose the driver by the part before '+', as oslo does ('kombu+memory')", () => {
  const url = parseTransportUrl('kombu+memory://');
  assert.is(url.scheme, 'kombu+memory');
  assert.is(url.driver, 'amqp');
});

Schemes('should read the scheme case-insensitively and keep it lower case', () => {
  const url = parseTransportUrl('RABBIT://h');
  assert.is(url.scheme, 'rabbit');
  assert.is(url.driver, 'amqp');
});

Schemes('should refuse an unknown scheme, naming it and the known ones', () => {
  invalid('kafka://broker:9092', /unknown scheme 'kafka': use one of memory, rabbit, amqp, amqps, kombu, zmq, tcp/);
  invalid('fake+rabbit://h', /unknown scheme 'fake\+rabbit'/);
});

Schemes('should refuse text that is not a URL, showing the expected form', () => {
  for (const url of ['', 'rabbit', 'rabbit:/h', '://h', 'rabbit://h#frag']) {
    invalid(url, /expected 'scheme:\/\/\[user:pass@\]host\[:port\]\[,host\.\.\.\]\/\[vhost\]\[\?options\]'/);
  }
});

Schemes('should refuse a URL that is not a string', () => {
  const error = invalid(undefined as unknown as string, /the URL must be a string/);
  assert.is(error.url, 'undefined');
});

Schemes.run();

const Hosts = suite('parseTransportUrl() hosts');

Hosts("should read oslo's rabbit URL with credentials, host, port and virtual host", () => {
  const url = parseTransportUrl('rabbit://guest:guest@127.0.0.1:5672/');
  assert.equal(url.hosts, [{ hostname: '127.0.0.1', port: 5672, username: 'guest', password: 'guest' }]);
  assert.is(url.virtualHost, undefined);
  assert.equal(url.query, {});
  assert.is(url.url, 'rabbit://guest:guest@127.0.0.1:5672/');
});

Hosts('should have no hosts for an empty network location', () => {
  assert.equal(parseTransportUrl('rabbit://').hosts, []);
  assert.equal(parseTransportUrl('memory://').hosts, []);
  assert.equal(parseTransportUrl('rabbit:///vh').hosts, []);
});

Hosts('should read comma-separated hosts, each with its own credentials and port', () => {
  const url = parseTransportUrl('rabbit://u1:p1@h1:5672,u2:p2@h2:5673,h3/nova');
  assert.equal(url.hosts, [{ hostname: 'h1', port: 5672, username: 'u1', password: 'p1' }, { hostname: 'h2', port: 5673, username: 'u2', password: 'p2' }, { hostname: 'h3' }]);
  assert.is(url.virtualHost, 'nova');
});

Hosts('should leave port and credentials out when not given', () => {
  const [host] = parseTransportUrl('rabbit://broker/').hosts;
  assert.equal(host, { hostname: 'broker' });
  assert.not.ok(host && 'port' in host);
  assert.equal(parseTransportUrl('rabbit://broker:/').hosts, [{ hostname: 'broker' }]);
});

Hosts('should read a user without password', () => {
  assert.equal(parseTransportUrl('rabbit://admin@h').hosts, [{ hostname: 'h', username: 'admin' }]);
  assert.equal(parseTransportUrl('rabbit://admin:@h').hosts, [{ hostname: 'h', username: 'admin', password: '' }]);
});

Hosts('should percent-decode credentials, and split them at the last @', () => {
  assert.equal(parseTransportUrl('rabbit://us%3Aer:p%40ss%2Fw:rd@h').hosts, [{ hostname: 'h', username: 'us:er', password: 'p@ss/w:rd' }]);
  assert.equal(parseTransportUrl('rabbit://me:p@ss@h').hosts, [{ hostname: 'h', username: 'me', password: 'p@ss' }]);
});

Hosts('should read IPv6 addresses in brackets, with or without port', () => {
  const url = parseTransportUrl('amqp://u:p@[::1]:5672,[fe80::1],[2001:db8::7]/');
  assert.equal(url.hosts[0], { hostname: '::1', port: 5672, username: 'u', password: 'p' });
  assert.equal(url.hosts[1], { hostname: 'fe80::1' });
  assert.equal(url.hosts[2], { hostname: '2001:db8::7' });
});

Hosts('should refuse an IPv6 address without brackets, saying how to write it', () => {
  invalid('rabbit://::1:5672/', /cannot read host '::1:5672' \(write IPv6 addresses in brackets\)/);
});

Hosts('should refuse a port out of range or not a number, naming port and host', () => {
  invalid('rabbit://h:0/', /port '0' of host 'h' is not between 1 and 65535/);
  invalid('rabbit://h:65536/', /port '65536' of host 'h' is not between 1 and 65535/);
  invalid('rabbit://a,h:5x/', /cannot read host 'h:5x'/);
  assert.is(parseTransportUrl('rabbit://h:65535/').hosts[0]?.port, 65535);
});

Hosts('should return frozen hosts', () => {
  const url = parseTransportUrl('rabbit://h1,h2');
  assert.ok(Object.isFrozen(url));
  assert.ok(Object.isFrozen(url.hosts));
  assert.ok(Object.isFrozen(url.hosts[0]));
});

Hosts.run();

const Path = suite('parseTransportUrl() virtual host and query');

Path('should percent-decode the virtual host and keep it undefined when empty', () => {
  assert.is(parseTransportUrl('rabbit://h/%2F').virtualHost, '/');
  assert.is(parseTransportUrl('rabbit://h/').virtualHost, undefined);
  assert.is(parseTransportUrl('rabbit://h').virtualHost, undefined);
  assert.is(parseTransportUrl('memory:///orders').virtualHost, 'orders');
});

Path("should name the memory broker by host in 'memory://name'", () => {
  const url = parseTransportUrl('memory://orders');
  assert.equal(url.hosts, [{ hostname: 'orders' }]);
  assert.is(url.driver, 'memory');
});

Path('should read query options as strings, with or without a virtual host', () => {
  const url = parseTransportUrl('rabbit://h/?rabbit_quorum_queue=true&heartbeat_timeout_threshold=20');
  assert.equal(url.query, { rabbit_quorum_queue: 'true', heartbeat_timeout_threshold: '20' });
  assert.equal(parseTransportUrl('memory://x?a=1').query, { a: '1' });
  assert.equal(parseTransportUrl('rabbit://h/vh?flag').query, { flag: '' });
});

Path('should comma-join a repeated key, as oslo does', () => {
  assert.equal(parseTransportUrl('rabbit://h/?x=1&x=2&y=a&x=3').query, { x: '1,2,3', y: 'a' });
});

Path('should percent-decode query keys and values', () => {
  assert.equal(parseTransportUrl('rabbit://h/?ssl_ca_file=%2Fetc%2Fca.pem&name=a%20b').query, { ssl_ca_file: '/etc/ca.pem', name: 'a b' });
});

Path('should keep query keys named like Object members as plain options', () => {
  const url = parseTransportUrl('rabbit://h/?toString=1&constructor=2&__proto__=3&toString=4');
  assert.equal(Object.keys(url.query), ['toString', 'constructor', '__proto__']);
  assert.is(url.query['toString'], '1,4');
  assert.is(url.query['constructor'], '2');
  assert.is(Object.getOwnPropertyDescriptor(url.query, '__proto__')?.value, '3');
  assert.is(Object.getPrototypeOf(url.query), Object.prototype);
});

Path('should refuse an option without a name', () => {
  invalid('rabbit://h/?=1', /the query has an option without a name/);
});

Path('should return a frozen query and keep the URL as given', () => {
  const url = parseTransportUrl('zmq://h:9501?x=1');
  assert.ok(Object.isFrozen(url.query));
  assert.is(url.url, 'zmq://h:9501?x=1');
  assert.equal(url.hosts, [{ hostname: 'h', port: 9501 }]);
});

Path.run();

const Redaction = suite('parseTransportUrl() errors');

Redaction('should not show the password of a refused URL in the message nor keep it on the error', () => {
  const error = invalid('rabbit://admin:s3cret@h:99999/', /port '99999'/);
  assert.not.match(error.message, /s3cret/);
  assert.match(error.message, /'rabbit:\/\/admin:\*\*\*@h:99999\/'/);
  assert.is(error.url, 'rabbit://admin:***@h:99999/');
});

Redaction.run();
