import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultAccessPolicy, explicitAccessPolicy, expose, legacyAccessPolicy } from '../../../operators/rpc/access-policy.js';

const endpoint = {
  get_host: () => 'h',
  _internal: () => 'secret',
  __dunder: () => 'x',
  exposed: expose(() => 'ok'),
  _exposedPrivate: expose(() => 'ok'),
  count: 3,
};

const Default = suite('defaultAccessPolicy');

Default('should allow public methods', () => {
  assert.ok(defaultAccessPolicy(endpoint, 'get_host'));
  assert.ok(defaultAccessPolicy(endpoint, 'exposed'));
});

Default("should refuse methods whose name starts with '_', exposed or not", () => {
  assert.not.ok(defaultAccessPolicy(endpoint, '_internal'));
  assert.not.ok(defaultAccessPolicy(endpoint, '__dunder'));
  assert.not.ok(defaultAccessPolicy(endpoint, '_exposedPrivate'));
});

Default('should judge by name only (the dispatcher checks that the method exists)', () => {
  assert.ok(defaultAccessPolicy(endpoint, 'missing'));
});

Default.run();

const Legacy = suite('legacyAccessPolicy');

Legacy('should allow every method, private ones included', () => {
  for (const method of ['get_host', '_internal', '__dunder', 'exposed']) assert.ok(legacyAccessPolicy(endpoint, method), method);
});

Legacy.run();

const Explicit = suite('explicitAccessPolicy and expose()');

Explicit('should allow only handlers wrapped in expose(), private names included', () => {
  assert.ok(explicitAccessPolicy(endpoint, 'exposed'));
  assert.ok(explicitAccessPolicy(endpoint, '_exposedPrivate'));
  assert.not.ok(explicitAccessPolicy(endpoint, 'get_host'));
  assert.not.ok(explicitAccessPolicy(endpoint, '_internal'));
});

Explicit('should refuse names that are missing or not functions', () => {
  assert.not.ok(explicitAccessPolicy(endpoint, 'missing'));
  assert.not.ok(explicitAccessPolicy(endpoint, 'count'));
});

Explicit('should refuse what every object inherits', () => {
  for (const method of ['toString', 'constructor', 'hasOwnProperty', 'valueOf']) assert.not.ok(explicitAccessPolicy(endpoint, method), method);
});

Explicit('should return the handler itself, still callable', () => {
  const handler = (args: { n: number }) => args.n * 2;
  const exposed = expose(handler);
  assert.is(exposed, handler);
  assert.is(exposed({ n: 21 }), 42);
});

Explicit('should keep the mark hidden: no enumerable field and no change to the length or name', () => {
  const exposed = expose(function double(n: number) {
    return n * 2;
  });
  assert.equal(Object.keys(exposed), []);
  assert.is(exposed.name, 'double');
  assert.is(exposed.length, 1);
});

Explicit('should accept expose() twice on the same handler', () => {
  const handler = () => 1;
  expose(expose(handler));
  assert.ok(explicitAccessPolicy({ handler }, 'handler'));
});

Explicit('should work on class methods exposed on the prototype or as fields', () => {
  class Compute {
    reboot = expose(() => 'rebooting');
    status() {
      return 'up';
    }
    stop() {
      return 'stopped';
    }
  }
  expose(Compute.prototype.status);
  const instance = new Compute();
  assert.ok(explicitAccessPolicy(instance, 'reboot'));
  assert.ok(explicitAccessPolicy(instance, 'status'));
  assert.not.ok(explicitAccessPolicy(instance, 'stop'));
});

Explicit('should not leak a mark from one endpoint to a wrapper of the same function', () => {
  const handler = () => 1;
  const wrapper = (...args: []) => handler(...args);
  expose(handler);
  assert.not.ok(explicitAccessPolicy({ wrapper }, 'wrapper'));
});

Explicit.run();
