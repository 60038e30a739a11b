import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redactUrl } from '../../../lib/core/redact.js';
import { parseTransportUrl } from '../../../lib/core/url.js';
import * as barrel from '../../../lib/index.js';

const Redact = suite('redactUrl');

/** The hosts parseTransportUrl reads, with what a password shows as once redacted. */
const shown = (url: string) => parseTransportUrl(url).hosts.map((host) => (host.password === undefined ? host : { ...host, password: '***' }));

Redact("should hide a password holding a raw '@' whole: credentials end at the host's last '@'", () => {
  assert.is(redactUrl('rabbit://bob:s3cr@t@h2/'), 'rabbit://bob:***@h2/');
  assert.is(redactUrl('rabbit://me:p@ss:w@h/'), 'rabbit://me:***@h/');
  assert.equal(parseTransportUrl('rabbit://bob:s3cr@t@h2/').hosts, [{ hostname: 'h2', username: 'bob', password: 's3cr@t' }]);
});

Redact("should hide a password holding a raw ':' whole: the username ends at the first ':'", () => {
  assert.is(redactUrl('rabbit://bob:a:b:c@h:5672/'), 'rabbit://bob:***@h:5672/');
  assert.equal(parseTransportUrl('rabbit://bob:a:b:c@h:5672/').hosts, [{ hostname: 'h', port: 5672, username: 'bob', password: 'a:b:c' }]);
});

Redact("should hide percent-escaped passwords, '/', ',', '@', ':' and '%' among them", () => {
  const url = 'rabbit://bob:a%2Fb%2Cc%40d%3Ae%25f@h/';
  assert.is(redactUrl(url), 'rabbit://bob:***@h/');
  assert.equal(parseTransportUrl(url).hosts, [{ hostname: 'h', username: 'bob', password: 'a/b,c@d:e%f' }]);
});

Redact('should hide the password of every host, and keep the rest of the URL', () => {
  assert.is(redactUrl('rabbit://u1:p@1@h1:5672,u2:p2@h2,h3,u4@h4/nova?ssl=1&x=a:b@c#f'), 'rabbit://u1:***@h1:5672,u2:***@h2,h3,u4@h4/nova?ssl=1&x=a:b@c#f');
});

Redact('should hide the password of IPv6 hosts, and leave their address alone', () => {
  assert.is(redactUrl('amqp://u:p@ss@[::1]:5672,[fe80::1],v:w@[2001:db8::7]/'), 'amqp://u:***@[::1]:5672,[fe80::1],v:***@[2001:db8::7]/');
  assert.is(redactUrl('amqp://[::1]:5672/'), 'amqp://[::1]:5672/');
});

Redact("should read the credentials of a username holding a raw '@' as the parser does", () => {
  assert.is(redactUrl('rabbit://a@b:pw@h/'), 'rabbit://a@b:***@h/');
  assert.equal(parseTransportUrl('rabbit://a@b:pw@h/').hosts, [{ hostname: 'h', username: 'a@b', password: 'pw' }]);
});

Redact('should hide an empty password, and leave URLs without one as they are', () => {
  assert.is(redactUrl('amqp://u:@h/'), 'amqp://u:***@h/');
  for (const url of ['rabbit://admin@h/', 'rabbit://h:5672/', 'memory://', 'memory://orders', 'rabbit://h/vh@x', 'not a url']) assert.is(redactUrl(url), url);
});

Redact('should leave hosts, ports and usernames as parseTransportUrl reads them', () => {
  for (const url of ['rabbit://bob:s3cr@t@h1:5672,eve:a:b@h2/', 'amqp://u:p%2F@[::1]:5672,[fe80::1]/', 'rabbit://a@b:pw@h,admin@h2,h3/vh']) {
    assert.equal(parseTransportUrl(redactUrl(url)).hosts, shown(url), url);
  }
});

Redact('should be exported by the package entry', () => {
  assert.is(barrel.redactUrl, redactUrl);
});

Redact.run();
