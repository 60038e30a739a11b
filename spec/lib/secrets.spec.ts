import { inspect } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setLogSink, type LogRecord } from '../../lib/core/logger.js';
import { connect, InvalidTransportUrl, MessagingError, parseTransportUrl, type Transport } from '../../lib/index.js';
import { amqpUrlWith, serviceSuite } from '../helpers/services.js';
import { hexId } from '../../lib/core/ids.js';
import { withoutPasswords } from '../../lib/core/url.js';
import { rejection } from '../helpers/thrown.js';

/** Every way a value is shown or shipped: JSON, util.inspect to the bottom (hidden fields included), and its string. */
const shown = (value: unknown) =>
  [JSON.stringify(value) ?? '', inspect(value, { depth: Infinity }), inspect(value, { depth: Infinity, showHidden: true }), String(value)].join('\n');

function assertNoSecret(value: unknown, secret: string, what: string): void {
  const text = shown(value);
  assert.not.ok(text.includes(secret), `${what} shows the password: ${text.slice(0, 400)}`);
  assert.not.ok(text.includes(encodeURIComponent(secret)), `${what} shows the password escaped`);
}

const Errors = suite('secrets: errors');

Errors('should keep the password out of every field, message and inspection of InvalidTransportUrl', async () => {
  const secret = 'Pw-u/rl:1';
  const urls = [
    `rabbit://bob:${encodeURIComponent(secret)}@h:99999/`,
    `rabbit://bob:${encodeURIComponent(secret)}@h/?bogus=1`,
    `memory://bob:${encodeURIComponent(secret)}@x/?bogus=1`,
    `zmq://bob:${encodeURIComponent(secret)}@x/?linger=many`,
  ];
  for (const url of urls) {
    const error = await rejection(connect(url));
    assert.instance(error, InvalidTransportUrl, url);
    assert.match((error as InvalidTransportUrl).url, /bob:\*\*\*@/);
    assertNoSecret(error, secret, `the error for ${url}`);
  }
  const parsed = await rejection(Promise.resolve().then(() => parseTransportUrl(`kafka://bob:${encodeURIComponent(secret)}@h/`)));
  assertNoSecret(parsed, secret, 'an unknown scheme');
});

Errors('should keep the password out of the errors of a broker or matchmaker that cannot be reached, and out of their logs', async () => {
  const records: LogRecord[] = [];
  const restore = setLogSink((record) => void records.push(record));
  try {
    const rabbit = await rejection(connect('rabbit://bob:Pw-amqp-2@127.0.0.1:1/'));
    assert.instance(rabbit, MessagingError);
    assertNoSecret(rabbit, 'Pw-amqp-2', 'an unreachable RabbitMQ');
    const redis = await rejection(connect('zmq+redis://:Pw-redis-2@127.0.0.1:1/'));
    assert.instance(redis, MessagingError);
    assertNoSecret(redis, 'Pw-redis-2', 'an unreachable Redis');
  } finally {
    restore();
  }
  assertNoSecret(records, 'Pw-amqp-2', 'the log records');
  assertNoSecret(records, 'Pw-redis-2', 'the log records');
});

Errors('should keep secret query options (a CURVE secret key, a password, a token) out of errors and of the URL a transport keeps', async () => {
  const url = 'zmq://h:9501?zmq_curve_secret_key=Sk-query-4%2B&zmq_curve_server_key=public-4&redis_password=Pw-query-4&bogus=1';
  const error = await rejection(connect(url));
  assert.instance(error, InvalidTransportUrl);
  assertNoSecret(error, 'Sk-query-4', 'the error');
  assertNoSecret(error, 'Pw-query-4', 'the error');
  const kept = withoutPasswords(parseTransportUrl(url));
  assertNoSecret(kept, 'Sk-query-4', 'the kept URL');
  assertNoSecret(kept, 'Pw-query-4', 'the kept URL');
  assert.is(kept.query['zmq_curve_server_key'], 'public-4', 'a public key stays as it is');
  assert.is(kept.query['zmq_curve_secret_key'], '***');
  assert.match(kept.url, /zmq_curve_secret_key=\*\*\*&zmq_curve_server_key=public-4&redis_password=\*\*\*&bogus=1$/);
});

Errors.run();

const Transports = suite('secrets: transports');

for (const [driver, url] of [
  ['memory', `memory://bob:Pw-mem-3@x/secrets-${hexId()}`],
  ['zmq', `zmq://bob:Pw-zmq-3@secrets-${hexId()}`],
] as const) {
  Transports(`should keep the password out of a ${driver} transport, and show its URL redacted`, async () => {
    const transport = await connect(url);
    try {
      assertNoSecret(transport, 'Pw-', `a ${driver} transport`);
      assert.match(transport.url.url, /bob:\*\*\*@/);
      assert.equal(
        transport.url.hosts.map((host) => Object.keys(host).includes('password')),
        [false],
      );
    } finally {
      await transport.close();
    }
  });
}

Transports.run();

const Rabbit = await serviceSuite('secrets: a RabbitMQ transport', ['rabbitmq'], { transport: undefined as unknown as Transport });
Rabbit.before.each(async (context) => {
  context.transport = await connect(amqpUrlWith());
});
Rabbit.after.each((context) => context.transport.close());

Rabbit('should keep the password out of a rabbit transport that is connected', ({ transport }) => {
  const { password } = parseTransportUrl(amqpUrlWith()).hosts[0]!;
  assert.ok(password, 'the spec broker URL has a password');
  assert.not.ok(/password/i.test(shown(transport)), 'no password field anywhere');
  assert.not.ok(shown(transport).includes(`:${password}@`), 'no URL with its password');
  assert.match(transport.url.url, /:\*\*\*@/);
});

Rabbit.run();
