import { PassThrough } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getLogger } from '../../../lib/index.js';
import { runCommand, withoutSecrets } from '../../../tools/cli/args.js';

const Args = suite('rxm commands: the shared runner');

function io() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { streams: { stdout, stderr, env: {} }, err: () => err };
}

Args('should hide the URL and its passwords, raw and decoded, in any text', () => {
  const url = 'rabbit://bob:p%40ss@h1:5672,eve:Pw2@h2/vhost';
  assert.is(
    withoutSecrets(`cannot reach ${url}; bob used p@ss, eve Pw2, escaped p%40ss`, url),
    'cannot reach rabbit://bob:***@h1:5672,eve:***@h2/vhost; bob used ***, eve ***, escaped ***',
  );
});

Args('should keep passwords out of the error line and of what the package logs', async () => {
  const url = 'rabbit://bob:Hidden-1@127.0.0.1:1/';
  const { streams, err } = io();
  const code = await runCommand('rxm test', [], 'usage', streams, async (useUrl) => {
    const used = useUrl(url);
    getLogger('rx-messaging.test').warn(`retrying ${used}`, { password: 'Hidden-1' });
    throw new Error(`the broker at ${used} refused Hidden-1`);
  });
  assert.is(code, 1);
  assert.not.ok(err().includes('Hidden-1'), err());
  assert.match(err(), /^WARN rx-messaging\.test: retrying rabbit:\/\/bob:\*\*\*@127\.0\.0\.1:1\//m);
  assert.match(err(), /^rxm test: Error: the broker at rabbit:\/\/bob:\*\*\*@127\.0\.0\.1:1\/ refused \*\*\*$/m);
});

Args('should make a malformed URL a usage error that does not show its password', async () => {
  const { streams, err } = io();
  const code = await runCommand('rxm test', [], 'usage', streams, async (useUrl) => {
    useUrl('rabbit://bob:Hidden-2@h1:notaport/');
    return 0;
  });
  assert.is(code, 2);
  assert.match(err(), /^rxm test: --url: Invalid transport URL 'rabbit:\/\/bob:\*\*\*@h1:notaport\/': .* \(see rxm test --help\)\n$/);
  assert.not.ok(err().includes('Hidden-2'), err());
});

Args.run();
