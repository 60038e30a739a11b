/**
 * TLS (`amqps://`, `ssl=true`, `ssl_ca_file`, hostname verification) against a TLS endpoint the
 * spec runs itself in front of the plain broker port, with a certificate made by openssl for
 * `localhost`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as assert from 'uvu/assert';
import { MessageDeliveryFailure } from '../../../lib/core/errors.js';
import { hexId } from '../../../lib/core/ids.js';
import { target } from '../../../lib/core/target.js';
import { amqpUrl, serviceSuite, skippedSuite, vhostPath } from '../../helpers/services.js';
import { brokerHost, brokerPort, openDriver, rejectionOf, uniqueTopic } from './support.js';
import { tcpProxy, type TcpProxy } from '../../../testing/tcp-proxy.js';

interface Context {
  proxy: TcpProxy;
  ca: string;
}

/** A self-signed certificate for localhost, or why none could be made. */
function makeCertificate(dir: string): string | undefined {
  const result = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { encoding: 'utf8' },
  );
  if (result.error) return `openssl cannot run: ${result.error.message}`;
  return result.status === 0 ? undefined : `openssl failed: ${result.stderr.trim()}`;
}

const dir = mkdtempSync(join(tmpdir(), 'rxm-tls-'));
const noCertificate = makeCertificate(dir);
const Tls = noCertificate ? skippedSuite<Context>('amqp TLS', noCertificate) : await serviceSuite<Context>('amqp TLS', ['rabbitmq'], {} as Context);

const credentials = () => /\/\/([^@/]*@)/.exec(amqpUrl())?.[1] ?? '';

Tls.before(async (context) => {
  context.ca = join(dir, 'cert.pem');
  context.proxy = await tcpProxy(brokerHost(), brokerPort(), { tls: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(context.ca) } });
});

Tls.after(async ({ proxy }) => {
  await proxy.close();
  rmSync(dir, { recursive: true, force: true });
});

const roundTrip = async (url: string) => {
  const driver = await openDriver(url);
  try {
    await driver.send(target({ topic: uniqueTopic('tls') }), { method: 'm', args: {}, context: {}, uniqueId: hexId() });
  } finally {
    await driver.close();
  }
};

Tls('should connect over amqps:// trusting ssl_ca_file and checking the hostname', async ({ proxy, ca }) => {
  await roundTrip(`amqps://${credentials()}localhost:${proxy.port}${vhostPath()}?ssl_ca_file=${encodeURIComponent(ca)}&ssl_version=TLSv1_2`);
});

Tls('should use TLS on amqp:// when ssl=true', async ({ proxy, ca }) => {
  await roundTrip(`amqp://${credentials()}localhost:${proxy.port}${vhostPath()}?ssl=true&ssl_ca_file=${encodeURIComponent(ca)}`);
});

Tls('should refuse a certificate no trusted CA signed', async ({ proxy }) => {
  const error = await rejectionOf(openDriver(`amqps://${credentials()}localhost:${proxy.port}${vhostPath()}`));
  assert.instance(error, MessageDeliveryFailure);
  assert.match(String((error.cause as Error).message), /self[- ]signed/i);
});

Tls('should refuse a certificate for another host name unless ssl_enforce_hostname_verification=false', async ({ proxy, ca }) => {
  const url = `amqps://${credentials()}127.0.0.1:${proxy.port}${vhostPath()}?ssl_ca_file=${encodeURIComponent(ca)}`;
  const error = await rejectionOf(openDriver(url));
  assert.instance(error, MessageDeliveryFailure);
  assert.match(String((error.cause as Error).message), /altnames|IP: 127\.0\.0\.1/i);
  await roundTrip(`${url}&ssl_enforce_hostname_verification=false`);
});

Tls.run();
