import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { maskSecrets } from '../../../../lib/notify/notifier-drivers/mask.js';

const Mask = suite('maskSecrets');

Mask('should mask values of keys that name secrets, whatever their case or affixes', () => {
  assert.equal(maskSecrets({ password: 'd81juxmEW_', user: 'admin', home: '/home/admin' }), { password: '***', user: 'admin', home: '/home/admin' });
  assert.equal(maskSecrets({ admin_password: 'x', AUTH_TOKEN: 'y', client_secret: 'z', adminPass: 'w', ssh_private_key: 'k', passphrase: 'p' }), {
    admin_password: '***',
    AUTH_TOKEN: '***',
    client_secret: '***',
    adminPass: '***',
    ssh_private_key: '***',
    passphrase: '***',
  });
});

Mask('should search nested objects and arrays, and mask a secret key holding a list whole', () => {
  assert.equal(maskSecrets({ nested: { password: 'x', user: 'u' }, list: [{ token: 't' }, 'plain'], tokens: ['a', 'b'] }), {
    nested: { password: '***', user: 'u' },
    list: [{ token: '***' }, 'plain'],
    tokens: '***',
  });
});

Mask('should mask password-like assignments inside text', () => {
  assert.equal(maskSecrets({ cmd: 'mysql --password s3cret -u root' }), { cmd: 'mysql --password *** -u root' });
  assert.equal(maskSecrets({ url: 'db?user=a&password=s3cret&x=1' }), { url: 'db?user=a&password=***&x=1' });
  assert.equal(maskSecrets({ body: '{"auth_token": "abc123", "name": "n"}' }), { body: '{"auth_token": "***", "name": "n"}' });
  assert.equal(maskSecrets({ note: 'the token expired' }), { note: 'the token expired' }, 'a word alone is not a secret');
});

Mask('should leave the input untouched and other values as they are', () => {
  const input = { password: 'x', n: 1, ok: true, none: null, when: new Date(0) };
  const masked = maskSecrets(input) as typeof input;
  assert.is(input.password, 'x');
  assert.equal(masked, { password: '***', n: 1, ok: true, none: null, when: new Date(0) });
});

Mask.run();
