/** The built package is importable by name, as a user's plain `node` would import it. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const Package = suite('package');
const require = createRequire(import.meta.url);
const run = promisify(execFile);

Package('should export the public API from its name and its subpaths, with type declarations', async () => {
  const api = await import('rx-messaging');
  for (const name of ['connect', 'target', 'rpcClient', 'rpcServer', 'microtaskExecutor', 'blockingExecutor', 'workerPoolExecutor', 'MessagingTimeout', 'InvalidTarget']) {
    assert.type((api as Record<string, unknown>)[name], 'function', `${name} is exported`);
  }
  const operators = await import('rx-messaging/operators');
  assert.type(operators.dispatch, 'function');
  const driver = await import('rx-messaging/driver');
  assert.type(driver.encodeBody, 'function', 'driver authors get the wire format');
  const testing = await import('rx-messaging/testing');
  assert.type(testing.testDriver, 'function', 'specs get the test notifier driver');
  assert.not.ok('testDriver' in api, 'test helpers stay out of the production entry');
  assert.not.ok('toFailure' in api, 'driver-author helpers stay out of the user entry');
  const pkg = require('rx-messaging/package.json') as { exports: Record<string, { types?: string }> };
  for (const [subpath, entry] of Object.entries(pkg.exports)) {
    if (typeof entry === 'object' && entry.types) assert.ok(existsSync(new URL(`../../${entry.types}`, import.meta.url)), `${subpath} has ${entry.types}`);
  }
});

Package('should load a driver only when its scheme is used', async () => {
  // A fresh process: in this one, other specs have loaded every driver already.
  const script = `
    import { createRequire } from 'node:module';
    import { connect } from 'rx-messaging';
    const transport = await connect('memory://package-spec');
    await transport.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((path) => ['amqplib', 'msgpackr', 'zeromq', 'ioredis'].some((name) => path.includes('/node_modules/' + name + '/')));
    console.log(JSON.stringify(loaded));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  assert.equal(JSON.parse(stdout), [], 'a memory:// user never loads amqplib, msgpackr, zeromq or ioredis');
});

Package.run();
