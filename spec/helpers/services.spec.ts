import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { amqpUrlWith, osloUrl, vhostName, vhostPath } from './services.js';

const Vhost = suite('spec broker URLs on a vhost of their own');

/** Runs `check` with AMQP_URL set to `url`, then puts it back. */
function withAmqpUrl(url: string, check: () => void): void {
  const saved = process.env['AMQP_URL'];
  process.env['AMQP_URL'] = url;
  try {
    check();
  } finally {
    if (saved === undefined) delete process.env['AMQP_URL'];
    else process.env['AMQP_URL'] = saved;
  }
}

Vhost('should keep the vhost AMQP_URL names, adding no slash to it', () => {
  withAmqpUrl('amqp://u:p@broker:5672/myvhost', () => {
    assert.is(vhostPath(), '/myvhost');
    assert.is(vhostName(), 'myvhost');
    assert.is(amqpUrlWith(), 'amqp://u:p@broker:5672/myvhost');
    assert.is(amqpUrlWith('a=1'), 'amqp://u:p@broker:5672/myvhost?a=1');
    assert.is(osloUrl(), 'rabbit://u:p@broker:5672/myvhost');
  });
  withAmqpUrl('amqp://u:p@broker:5672/%2Fteam', () => assert.is(vhostName(), '/team'));
});

Vhost('should use the default vhost when AMQP_URL names none', () => {
  for (const url of ['amqp://u:p@broker:5672', 'amqp://u:p@broker:5672/']) {
    withAmqpUrl(url, () => {
      assert.is(vhostName(), '/');
      assert.is(amqpUrlWith('a=1'), 'amqp://u:p@broker:5672/?a=1');
    });
  }
});

Vhost.run();
